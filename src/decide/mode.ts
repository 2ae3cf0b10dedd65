import type { CounterRuntime, GivenCounter } from '../counters/resolveCounters.js';
import type { OnRuleError } from '../engine/evaluate.js';
import type { FactSources } from '../facts/FactSources.js';
import type { Json } from '../okta/types.js';

/** Where the stages read: the fact sources, the counter store, and the request's deadline. */
export interface Sources {
  /** Left out, the facts a request needs fail as `config` (an app built without sources). */
  facts?: FactSources | undefined;
  /** Left out, counters are not read (live) or read as a first request would see them (peek). */
  counters?: CounterRuntime | undefined;
  /** FACTS_DEADLINE_MS: every stage of a request is done by then. */
  deadlineMs: number;
}

/** Facts and counters written by hand (a rule test, `eval --facts`, `eval --counters`). */
export interface Given {
  /** By name: a value, or `{ error: KIND }` for a failed lookup; a needed fact left out reads as null. */
  facts?: Readonly<Record<string, Json>> | undefined;
  /** By name: a count, or `{ error: REASON }`; one left out reads as a first request would see it. */
  counters?: Readonly<Record<string, GivenCounter>> | undefined;
}

interface Common {
  /** What a rule that throws, or an answer Okta would reject, does: deny (fail closed) or skip. */
  onRuleError: OnRuleError;
  /** Explain: every rule with what its condition saw, and every fact with its (masked) value. */
  explain?: boolean;
  /** Show fetched fact values unmasked in the explanation. */
  reveal?: boolean;
  /** In the answer's debugContext; a fresh UUID when left out. */
  decisionId?: string;
}

/**
 * How a request is decided:
 * - live: facts fetched, counters counted (the hook);
 * - peek: facts fetched, counters read without counting (the preview page, `eval`); a part of
 *   `given` stands in for its stage, except that given fact failures are kept over fetched
 *   values (`test --live`: a live source cannot fail on cue);
 * - given: nothing fetched, nothing counted: facts and counters as given (rule tests).
 */
export type DecideMode = (Common & { kind: 'live'; sources: Sources }) | (Common & { kind: 'peek'; sources: Sources; given?: Given }) | (Common & { kind: 'given'; given?: Given });
