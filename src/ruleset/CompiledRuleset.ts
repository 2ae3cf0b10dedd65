import type { RE2JS } from 're2js';
import type { CompiledCounter, CounterUse } from '../counters/types.js';
import type { CompiledFact } from '../facts/types.js';
import type { CompiledLogic } from '../engine/logic.js';
import type { JsonObject, RequestType } from '../okta/types.js';
import type { NamedList } from '../rules/lists.js';
import type { RuleError } from '../language/RuleError.js';
import type { SourcePosition } from '../language/position.js';
import type { DenySpec, RulesetSettings } from '../rules/types.js';

export interface CompiledRule {
  readonly id: string;
  readonly description: string;
  readonly appliesTo: ReadonlySet<RequestType>;
  readonly priority: number;
  readonly source: SourcePosition;
  readonly when: CompiledLogic;
  readonly allow: boolean;
  readonly deny?: DenySpec;
  readonly update: ReadonlyArray<readonly [attribute: string, value: CompiledLogic]>;
  readonly updateFrom?: CompiledLogic;
  /**
   * A hook type's outcome beyond allow, deny and update (a token rule's access and identity):
   * its fixed parts as written, and the values computed when the rule matches, each at its
   * path in the outcome. The engine computes the values; the hook type's answer reads them.
   */
  readonly outcome?: RuleOutcome;
  /** The counters this rule reads (counters.NAME), when it reads any. */
  readonly counters?: readonly string[];
  /** Names of the facts the rule reads (facts.NAME), in first-read order; [] for most rules. */
  readonly facts: readonly string[];
}

export interface RuleOutcome {
  readonly fixed: JsonObject;
  readonly values: ReadonlyArray<readonly [path: readonly string[], value: CompiledLogic]>;
}

export type DefaultOutcome = { decision: 'allow' } | { decision: 'deny'; deny: DenySpec };

/**
 * Everything a request needs, built once per load and never changed afterwards: a reload
 * builds a new one and swaps the reference, so a request sees one version from start to end.
 */
export interface CompiledRuleset {
  readonly version: string;
  readonly loadedAt: Date;
  readonly dir: string;
  readonly files: readonly string[];
  /** Rules in evaluation order (priority, then file order), per request type; disabled rules left out. */
  readonly rulesFor: Readonly<Record<RequestType, readonly CompiledRule[]>>;
  readonly rules: readonly CompiledRule[];
  readonly defaults: Readonly<Record<RequestType, DefaultOutcome>>;
  /** Where each default was set, for the request types whose default a file sets (rule-test coverage counts them). */
  readonly defaultSources: Readonly<Partial<Record<RequestType, SourcePosition>>>;
  readonly settings: Readonly<RulesetSettings>;
  readonly lists: ReadonlyMap<string, NamedList>;
  readonly patterns: ReadonlyMap<string, RE2JS>;
  /** The `counters` sections of every file (docs/counters.md); empty for most rulesets. */
  readonly counters: ReadonlyMap<string, CompiledCounter>;
  /** Per request type, the counters a request of that type counts or reads. */
  readonly countersFor: Readonly<Record<RequestType, readonly CounterUse[]>>;
  readonly facts: ReadonlyMap<string, CompiledFact>;
  /** The facts the rules of each request type read: what a request of that type fetches ([]: nothing, the hook stays synchronous). */
  readonly factsFor: Readonly<Record<RequestType, readonly CompiledFact[]>>;
  /**
   * What loads but is almost surely a mistake, or will not work as meant in Okta: a list no
   * rule uses, a pattern with a stray "{", a cause the widget cannot place, a variable a fact
   * names that is not set (outside production). `validate --strict` refuses these.
   */
  readonly warnings: readonly RuleError[];
}
