/**
 * Writes the large bench ruleset as rule files: `lists.yaml` (two small inline lists, and the
 * disposable-domain blocklist taken from the list file `lists/disposable.txt`, one domain a
 * line: the way big lists ship) and `rules.yaml` (the rules of bench/ruleset.ts as JSON-Logic).
 * JSON is YAML, so both rule files are written as JSON: fast to write, read like any file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { disposableDomains } from './domains.js';
import { benchRules, EMBARGOED, type BenchRule, type Check } from './ruleset.js';

export interface GenerateOptions {
  /** Entries in the disposable-domain list (the issue asks for at least 100,000). */
  listSize: number;
}

export const BLOCKED_IPS = Array.from({ length: 1000 }, (_, i) => `203.0.${Math.floor(i / 250)}.${i % 250}`);

export async function generateLargeRuleset(dir: string, options: GenerateOptions): Promise<void> {
  await writeLargeLists(dir, options);
  const rules = {
    description: 'Bench rules: blocklists, patterns, age checks, partner allows and computed profile updates.',
    defaults: { 'self.service.registration': 'allow', 'progressive.profile': 'allow' },
    rules: benchRules().map(toRuleSpec),
  };
  await writeFile(path.join(dir, 'rules.yaml'), JSON.stringify(rules, null, 1));
}

/** The large ruleset's lists: `lists.yaml`, and the disposable-domain blocklist in `lists/disposable.txt`. */
export async function writeLargeLists(dir: string, options: GenerateOptions): Promise<void> {
  await mkdir(path.join(dir, 'lists'), { recursive: true });
  const lists = {
    description: `Bench lists: ${options.listSize} disposable domains, embargoed countries, blocked IPs.`,
    lists: {
      disposable: { kind: 'domains', file: 'lists/disposable.txt' },
      embargoed: EMBARGOED,
      'blocked-ips': BLOCKED_IPS,
    },
  };
  await writeFile(path.join(dir, 'lists', 'disposable.txt'), `# ${options.listSize} generated disposable domains\n${disposableDomains(options.listSize).join('\n')}\n`);
  await writeFile(path.join(dir, 'lists.yaml'), JSON.stringify(lists));
}

export function toRuleSpec(rule: BenchRule): Record<string, unknown> {
  let then: Record<string, unknown>;
  if ('deny' in rule.then) {
    const { message, reason, location } = rule.then.deny;
    then = { deny: { message, internalReason: rule.id, causes: [{ message, reason, ...(location ? { location } : {}) }] } };
  } else {
    const update = rule.then.update ? Object.fromEntries(Object.entries(rule.then.update).map(([k, v]) => [k, v.logic])) : undefined;
    then = {
      ...('allow' in rule.then ? { allow: true } : {}),
      ...(update ? { update } : {}),
      ...('updateFromSubmitted' in rule.then && rule.then.updateFromSubmitted ? { updateFrom: { var: 'submitted' } } : {}),
    };
  }
  return { id: rule.id, description: `bench rule ${rule.id}`, appliesTo: rule.appliesTo, priority: rule.priority, when: toLogic(rule.when), then };
}

export function toLogic(when: BenchRule['when']): unknown {
  if (when === true) return true;
  const [op, checks] = 'all' in when ? ['and', when.all] : ['or', when.any];
  return checks.length === 1 ? checkLogic(checks[0]!) : { [op]: checks.map(checkLogic) };
}

function checkLogic(check: Check): unknown {
  const v = { var: check.path };
  switch (check.op) {
    case 'inList':
      return { in_list: [v, check.list] };
    case 'matches':
      return { matches: [v, check.pattern, ...(check.flags ? [check.flags] : [])] };
    case 'notMatches':
      return { '!': { matches: [v, check.pattern, ...(check.flags ? [check.flags] : [])] } };
    case 'eq':
      return { '==': [v, check.value] };
    case 'ne':
      return { '!=': [v, check.value] };
    case 'lt':
      return { '<': [v, check.value] };
    case 'oneOf':
      return { in: [v, check.values] };
    case 'present':
      return { '!=': [v, null] };
    case 'absent':
      return { '==': [v, null] };
  }
}
