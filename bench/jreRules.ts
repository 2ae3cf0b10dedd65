/**
 * The bench ruleset as a JavaScript developer would write it for json-rules-engine: one
 * engine per request type, custom operators for lists and patterns (on the same Set-based
 * lists and RE2 patterns this service uses, so the comparison is of engines, not of data
 * structures), and the decision (first deny wins, else allow, with updates) in plain code.
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import { RE2JS } from 're2js';
import { compilePattern } from '../src/engine/operators.js';
import { COMMAND, type OktaHookResponse, type RequestType } from '../src/okta/types.js';
import { NamedList } from '../src/rules/lists.js';
import { disposableDomains } from './domains.js';
import { BLOCKED_IPS } from './generate.js';
import { benchRules, EMBARGOED, type BenchRule, type Check } from './ruleset.js';

function condition(check: Check): Record<string, unknown> {
  const [fact, ...rest] = check.path.split('.');
  const base = { fact: fact!, ...(rest.length ? { path: `$.${rest.join('.')}` } : {}) };
  switch (check.op) {
    case 'inList':
      return { ...base, operator: 'inList', value: check.list };
    case 'matches':
    case 'notMatches':
      return { ...base, operator: check.op, value: { pattern: check.pattern, flags: check.flags ?? '' } };
    case 'eq':
      return { ...base, operator: 'equal', value: check.value };
    case 'ne':
      return { ...base, operator: 'notEqual', value: check.value };
    case 'lt':
      return { ...base, operator: 'lessThan', value: check.value };
    case 'oneOf':
      return { ...base, operator: 'in', value: check.values };
    case 'present':
    case 'absent':
      return { ...base, operator: check.op, value: true };
  }
}

function conditions(when: BenchRule['when']): RuleProperties['conditions'] {
  if (when === true) return { all: [] };
  return ('all' in when ? { all: when.all.map(condition) } : { any: when.any.map(condition) }) as RuleProperties['conditions'];
}

export interface JreDecider {
  decide(type: RequestType, facts: Record<string, unknown>): Promise<OktaHookResponse>;
}

export function createJreDecider(listSize: number): JreDecider {
  const lists = new Map([
    ['disposable', NamedList.of('disposable', 'domains', disposableDomains(listSize), 'bench')],
    ['embargoed', NamedList.of('embargoed', 'values', EMBARGOED, 'bench')],
    ['blocked-ips', NamedList.of('blocked-ips', 'values', BLOCKED_IPS, 'bench')],
  ]);
  const patterns = new Map<string, RE2JS>();
  const pattern = (spec: { pattern: string; flags: string }) => {
    const key = `${spec.flags}/${spec.pattern}`;
    let compiled = patterns.get(key);
    if (!compiled) patterns.set(key, (compiled = compilePattern(spec.pattern, spec.flags)));
    return compiled;
  };
  const all = benchRules();
  // Evaluation order, as this service orders rules: priority, then file order.
  const ordered = [...all].sort((a, b) => b.priority - a.priority);
  const byType = {} as Record<RequestType, { engine: Engine; rules: BenchRule[] }>;
  for (const type of ['self.service.registration', 'progressive.profile'] as const) {
    const rules = ordered.filter((rule) => rule.appliesTo.includes(type));
    const engine = new Engine([], { allowUndefinedFacts: true });
    engine.addOperator('inList', (value: unknown, name: unknown) => lists.get(String(name))!.has(value));
    engine.addOperator('matches', (value: unknown, spec: { pattern: string; flags: string }) => typeof value === 'string' && pattern(spec).test(value));
    engine.addOperator('notMatches', (value: unknown, spec: { pattern: string; flags: string }) => typeof value === 'string' && !pattern(spec).test(value));
    engine.addOperator('present', (value: unknown) => value !== null && value !== undefined);
    engine.addOperator('absent', (value: unknown) => value === null || value === undefined);
    for (const rule of rules) {
      engine.addRule({ name: rule.id, priority: rule.priority + 1, conditions: conditions(rule.when), event: { type: rule.id } });
    }
    byType[type] = { engine, rules };
  }

  return {
    async decide(type, facts) {
      const { engine, rules } = byType[type];
      const { results } = await engine.run(facts);
      const matched = new Set(results.map((result) => result.name));
      const updates: Record<string, unknown> = {};
      const set = (attribute: string, value: unknown) => {
        if (value !== null && value !== undefined && !(attribute in updates)) updates[attribute] = value;
      };
      for (const rule of rules) {
        if (!matched.has(rule.id)) continue;
        if ('deny' in rule.then) {
          const { message, reason, location } = rule.then.deny;
          return {
            commands: [{ type: COMMAND.action, value: { registration: 'DENY' } }],
            error: { errorSummary: message, errorCauses: [{ errorSummary: message, reason, locationType: 'body', ...(location ? { location } : {}), domain: 'end-user' }] },
          };
        }
        if ('updateFromSubmitted' in rule.then && rule.then.updateFromSubmitted) {
          for (const [attribute, value] of Object.entries(facts.submitted as object)) set(attribute, value);
        }
        for (const [attribute, computed] of Object.entries(rule.then.update ?? {})) set(attribute, computed.js(facts));
      }
      const commands: OktaHookResponse['commands'] = [];
      if (Object.keys(updates).length > 0) {
        const kind = type === 'progressive.profile' ? COMMAND.progressiveProfileUpdate : COMMAND.profileUpdate;
        commands.push({ type: kind, value: updates as never });
      }
      commands.push({ type: COMMAND.action, value: { registration: 'ALLOW' } });
      return { commands };
    },
  };
}
