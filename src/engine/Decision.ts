import type { JsonObject, RequestType } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';
import type { DenySpec } from '../rules/types.js';

/** Why one rule did or did not take part in a decision. */
export interface RuleTrace {
  id: string;
  source: SourcePosition;
  /** matched: condition true; not-matched: false; error: it threw; skipped: not reached (a deny ended evaluation). */
  status: 'matched' | 'not-matched' | 'error' | 'skipped';
  effect: 'allow' | 'deny' | 'update' | 'allow+update';
  /** The condition's raw value (explain mode). */
  result?: unknown;
  /** Each `var` the condition reads, and what it saw (explain mode). */
  saw?: Record<string, unknown>;
  /** Each operand of the condition's operator and its value, operands of operands within (explain mode). */
  parts?: ExplainedPart[];
  error?: string;
  /** The rule read a fact whose lookup failed: which, how, and the onError applied. */
  factFailure?: string;
  /** The rule read a counter whose store failed: which, how, and the onError applied. */
  counterFailure?: string;
  /** `error` with the text it quotes from the request (an attribute name from updateFrom) replaced by ***, when it quotes any. */
  errorRedacted?: string;
}

/** One sub-expression of a condition and what it returned. */
export interface ExplainedPart {
  logic: unknown;
  value: unknown;
  parts?: ExplainedPart[];
}

/** The outcome, independent of Okta's wire format (each hook type's `answer`, src/hooks/, knows that). */
export interface Decision {
  requestType: RequestType;
  requestTypeNote?: string;
  outcome: 'allow' | 'deny';
  /** rule: an allow/deny rule decided; default: no allow or deny rule matched; error: a rule failed. */
  decidedBy: { kind: 'rule' | 'default' | 'error'; ruleId?: string };
  /** Ids of every rule whose condition was true, in evaluation order. */
  matchedRuleIds: string[];
  deny?: DenySpec;
  /** With settings.denyCauses: all, when more than one deny rule matched: their ids, in evaluation order (the first decided). */
  deniedBy?: string[];
  /** Attributes to set (allow only), in the order they were first set. */
  updates: JsonObject;
  /** Which rule set each attribute. */
  updatedBy: Record<string, string>;
  /**
   * Allow only, when any matched rule has a hook type's own outcome (a token rule's access or
   * identity): each such rule's outcome, in evaluation order, its values computed. The hook
   * type's answer combines them.
   */
  outcomes?: RuleOutcomeValues[];
  rulesetVersion: string;
  /** Every rule in evaluation order; with evaluate's `trace: 'errors'`, only the rules that threw. */
  trace: RuleTrace[];
  /** Facts whose lookup failed for this request, as NAME:KIND (never their values). */
  failedFacts?: string[];
  /** Counters whose store failed for this request (deny or skip), as NAME:REASON (never a key). */
  failedCounters?: string[];
}

/** One matched rule's own outcome: its fixed parts as written, and each computed value at its path. */
export interface RuleOutcomeValues {
  ruleId: string;
  fixed: JsonObject;
  values: Array<[path: readonly string[], value: unknown]>;
}

/**
 * The decision as shown to people (the preview, `eval --json`): without the values rules
 * computed for their own outcomes. Those the answer sends are in the answer; the others (a claim
 * for a token the request does not mint) reach no one, and may hold fetched values.
 */
export function withoutComputedValues(decision: Decision): Omit<Decision, 'outcomes'> {
  const { outcomes: _computed, ...shown } = decision;
  return shown;
}
