import type { PathSegment } from './position.js';

/** A problem with a rule's outcome, at a YAML path: the key `key` inside the mapping at `path`, or the value at `path`. */
export interface OutcomeCheckProblem {
  path: PathSegment[];
  key?: string;
  message: string;
}

/**
 * A hook type's load-time check of a rule's `then` against its `appliesTo` (what Okta would
 * refuse, outcomes of one hook in a rule for another). Given to the rule compiler by its
 * caller, since the compiler knows no hook type.
 */
export type OutcomeCheck = (then: unknown, appliesTo: readonly string[], at: PathSegment[]) => OutcomeCheckProblem[];
