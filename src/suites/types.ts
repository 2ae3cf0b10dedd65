import type { GivenCounter } from '../counters/resolveCounters.js';
import type { Json, JsonObject, OktaHookRequest, RequestType } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';

/** A rule test suite as written in *.test.yaml (see schemas/rules-test.schema.json). */
export interface SuiteFile {
  description?: string;
  lists?: ListOverrides;
  tests: CaseSpec[];
}

/** List name → entries used instead of the ruleset's, for a suite or a case. */
export type ListOverrides = Record<string, Array<string | number>>;

export interface CaseSpec {
  name: string;
  description?: string;
  skip?: boolean;
  lists?: ListOverrides;
  request: RequestSpec;
  /** Counter values (or failures) the rules see in this case (docs/counters.md, "Testing"). */
  counters?: Record<string, GivenCounter>;
  /** Facts given by hand (docs/facts.md): a value, or { error: KIND }. */
  facts?: Record<string, Json>;
  expect: Expectation;
}

export type RequestSpec = { fixture: string } | OktaHookRequest | Shorthand;

export interface Shorthand {
  requestType?: RequestType;
  profile?: JsonObject;
  submitted?: JsonObject;
  user?: { id?: string; profile?: JsonObject; [key: string]: unknown };
  ipAddress?: string;
}

export interface Expectation {
  decision: 'allow' | 'deny';
  decidedBy?: string;
  message?: string;
  causes?: Array<{ message?: string; location?: string; reason?: string }>;
  internalReason?: string;
  updates?: JsonObject;
  matchedRules?: string[] | { includes?: string[]; excludes?: string[] };
}

/** One case, ready to run: where it is written, and its request (or why it has none). */
export interface LoadedCase {
  suite: string;
  name: string;
  at: SourcePosition;
  skip: boolean;
  /** The suite's list overrides with the case's on top; absent when neither has any. */
  lists?: ListOverrides;
  request: OktaHookRequest | { problem: string };
  counters?: Record<string, GivenCounter>;
  facts?: Record<string, Json>;
  expect: Expectation;
}
