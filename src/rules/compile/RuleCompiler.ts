import type { PathSegment, SourcePosition } from '../../language/position.js';
import type { Expression, NamespaceSection } from '../../language/section.js';
import type { CompiledRule } from '../../ruleset/CompiledRuleset.js';
import { causeWarnings } from './causeWarnings.js';
import type { CompileFile, CompileState } from './CompileFile.js';
import { isRecord } from './salvage.js';
import type { CompiledLogic } from '../../engine/logic.js';
import type { OutcomeCheck } from '../../language/outcomeCheck.js';
import type { JsonObject } from '../../okta/types.js';
import { TOKEN_OUTCOME_KEYS } from '../types.js';

/**
 * The `rules` sections: ids unique across files, conditions and updates checked and compiled,
 * and the facts and counters each rule reads recorded with the sections that define them.
 * A rule with a problem, a disabled rule and any rule of a file that failed the schema are
 * checked but not built.
 */
export class RuleCompiler {
  /** Built rules in file order. */
  readonly rules: CompiledRule[] = [];
  private readonly ids = new Map<string, SourcePosition>();

  constructor(
    private readonly state: CompileState,
    private readonly facts: NamespaceSection<unknown>,
    private readonly counters: NamespaceSection<unknown>,
    private readonly checkOutcome: OutcomeCheck,
  ) {}

  add(file: CompileFile): void {
    (file.content.rules ?? []).forEach((rule, index) => {
      const base: PathSegment[] = ['rules', index];
      const source = file.positionOf(base);
      if (typeof rule.id === 'string') {
        const earlier = this.ids.get(rule.id);
        if (earlier) {
          file.fail([...base, 'id'], `rule id "${rule.id}" is already used at ${earlier.file}:${earlier.line}:${earlier.column}`);
          return;
        }
        this.ids.set(rule.id, source);
      }

      const before = this.state.errors.length;
      const check = (logic: unknown, path: PathSegment[]) => {
        for (const problem of file.check(logic, path)) file.fail(problem.path, problem.message, problem.key, problem.warning);
        return file.schemaValid ? file.compile(logic) : undefined;
      };
      const whenProblem = file.schemaValid || rule.when !== undefined ? conditionShape(rule.when) : null;
      if (whenProblem) file.fail([...base, 'when'], `when: ${whenProblem}`);
      const when = check(rule.when, [...base, 'when']);
      const update = Object.entries(rule.then?.update ?? {}).map(
        ([attribute, value]) => [attribute, check(value, [...base, 'then', 'update', attribute])!] as const,
      );
      const updateFrom = rule.then?.updateFrom === undefined ? undefined : check(rule.then.updateFrom, [...base, 'then', 'updateFrom']);
      if (rule.then !== undefined) {
        const appliesTo = Array.isArray(rule.appliesTo) ? rule.appliesTo : [];
        for (const problem of this.checkOutcome(rule.then, appliesTo, [...base, 'then'])) file.fail(problem.path, problem.message, problem.key);
      }
      const tokenValues: Array<readonly [string[], CompiledLogic]> = [];
      const fixed: JsonObject = {};
      for (const token of TOKEN_OUTCOME_KEYS) {
        const change = rule.then?.[token];
        if (!isRecord(change)) continue;
        const { claims, ...rest } = change;
        fixed[token] = rest as JsonObject;
        for (const [claim, value] of Object.entries(isRecord(claims) ? claims : {})) {
          const compiled = check(value, [...base, 'then', token, 'claims', claim]);
          if (compiled) tokenValues.push([[token, 'claims', claim], compiled]);
        }
      }
      const expressions: Expression[] = [
        [rule.when, [...base, 'when']],
        [rule.then?.update ?? {}, [...base, 'then', 'update']],
        [rule.then?.updateFrom, [...base, 'then', 'updateFrom']],
        ...TOKEN_OUTCOME_KEYS.map((token): Expression => [rule.then?.[token]?.claims ?? {}, [...base, 'then', token, 'claims']]),
      ];
      const counterNames = this.counters.read(file, expressions);
      const factNames = this.facts.read(file, expressions);
      if (this.state.errors.length > before || rule.disabled || !when) return;
      if (rule.then?.deny) this.state.warnings.push(...causeWarnings(rule.then.deny, [...base, 'then', 'deny'], file));

      this.rules.push({
        id: rule.id,
        description: rule.description,
        appliesTo: new Set(rule.appliesTo),
        priority: rule.priority ?? 0,
        source,
        when,
        allow: rule.then.allow === true,
        ...(rule.then.deny ? { deny: rule.then.deny } : {}),
        update,
        ...(updateFrom ? { updateFrom } : {}),
        ...(Object.keys(fixed).length > 0 ? { outcome: { fixed, values: tokenValues } } : {}),
        ...(counterNames.length > 0 ? { counters: counterNames } : {}),
        facts: factNames,
      });
    });
  }
}

/**
 * What is wrong with a condition's shape, or null: `when` is an operation (an object with one
 * operator key) or true/false. Anything else is almost surely a slip (a list, say, is what an
 * unquoted `!=:` leaves), and JSON-Logic would take a non-empty one as true: every request.
 */
function conditionShape(when: unknown): string | null {
  if (typeof when === 'boolean' || isRecord(when)) return null;
  if (when === null || when === undefined) return 'is empty; write an operation such as { "==": [a, b] }, or true for always';
  const what = Array.isArray(when) ? 'a list' : typeof when === 'string' ? `the text ${JSON.stringify(when)}` : `the ${typeof when} ${JSON.stringify(when)}`;
  const hint = Array.isArray(when) ? ' (an operator key YAML did not read as one, such as an unquoted !=, leaves a list here: quote the key, "!=":)' : '';
  return `must be an operation (an object with one operator key) or true/false, not ${what}${hint}`;
}
