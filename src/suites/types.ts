import type { GivenCounter } from '../counters/resolveCounters.js';
import type { Json, JsonObject, OktaHookRequest, RequestType } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';
import type { TokenHookRequest } from '../hooks/token/types.js';

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
  /** Token shorthand (requestType: token): the OAuth client. */
  client?: { id?: string; name?: string; type?: string };
  /** Token shorthand: the granted scope names. */
  scopes?: string[];
  /** Token shorthand: authorization_code (default), implicit, refresh_token, client_credentials… */
  grantType?: string;
  /** Token shorthand: each token's claims as Okta minted them; identity: null mints no ID token. */
  claims?: { identity?: JsonObject | null; access?: JsonObject };
  /** Token shorthand: the request URL's query parameters. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
}

export interface Expectation {
  decision: 'allow' | 'deny';
  decidedBy?: string;
  message?: string;
  causes?: Array<{ message?: string; location?: string; reason?: string }>;
  internalReason?: string;
  updates?: JsonObject;
  matchedRules?: string[] | { includes?: string[]; excludes?: string[] };
  /** Token requests: the commands the answer sends, exactly ([] for none). */
  patches?: Json[];
  /** Token requests: what the access token's patch does (only the fields given are compared). */
  access?: TokenExpectation;
  /** Token requests: what the ID token's patch does. */
  identity?: TokenExpectation;
}

/** A token patch, read back: claims set (name → value), claims removed, the lifetime (null: unchanged). */
export interface TokenExpectation {
  claims?: JsonObject;
  removed?: string[];
  lifetime?: number | null;
}

/** One case, ready to run: where it is written, and its request (or why it has none). */
export interface LoadedCase {
  suite: string;
  name: string;
  at: SourcePosition;
  skip: boolean;
  /** The suite's list overrides with the case's on top; absent when neither has any. */
  lists?: ListOverrides;
  request: OktaHookRequest | TokenHookRequest | { problem: string };
  /** Which hook the request is for: absent for registration. */
  hook?: 'token';
  counters?: Record<string, GivenCounter>;
  facts?: Record<string, Json>;
  expect: Expectation;
}
