import type { Duration } from '../core/duration.js';
import type { CompiledLogic } from '../engine/logic.js';
import type { Json } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';
import type { UrlTemplate } from './urlTemplate.js';

/** A fact as written in a rule file's `facts` section (see schemas/rules.schema.json, docs/facts.md). */
export type FactSpec = SqlFactSpec | HttpFactSpec;

interface CommonSpec {
  description?: string;
  timeout?: Duration;
  cache?: Duration;
  onError?: OnFactError;
  reveal?: boolean;
}

export interface SqlFactSpec extends CommonSpec {
  sql: string;
  params?: Json[];
  database: string;
}

export interface HttpFactSpec extends CommonSpec {
  /** A URL template: literal scheme, host and port; `{name}` placeholders in the path. JSON-Logic is refused at load. */
  http: string | Json;
  /** name → JSON-Logic value for each `{name}` of the path: one percent-encoded segment each. */
  path?: Record<string, Json>;
  method?: 'GET' | 'POST';
  query?: Record<string, Json>;
  /** name → JSON-Logic value. */
  body?: Record<string, Json>;
  headers?: Record<string, string | { env: string }>;
  maxBytes?: number;
  /** What a 404 answer means: null (default: no such record, like a SQL fact with no row) or error (a bad_response failure). */
  notFound?: 'error' | null;
}

export type { Duration };

/** deny: fail closed (default); allow: fail open; skip: rules reading the fact count as not matched. */
export type OnFactError = 'deny' | 'allow' | 'skip';

/** A fact ready to fetch: built once per ruleset load, never changed afterwards. */
export interface CompiledFact {
  readonly name: string;
  readonly source: SourcePosition;
  /** Identifies the lookup (its kind, text, database, URL…): part of the cache key, so a changed fact never reads old answers. */
  readonly fingerprint: string;
  readonly timeoutMs: number;
  /** 0: no cache. */
  readonly cacheMs: number;
  readonly onError: OnFactError;
  readonly reveal: boolean;
  /**
   * Where it is fetched from: sql:ENV_NAME, or an HTTP fact's literal origin (https://host:port).
   * Names the source's circuit breaker, its okta_hook_fact_source_up label and its /readyz entry,
   * so a ruleset has a fixed set of sources whatever the requests hold.
   */
  readonly sourceId: string;
  readonly lookup: SqlLookup | HttpLookup;
}

export interface SqlLookup {
  readonly kind: 'sql';
  readonly sql: string;
  readonly params: readonly CompiledLogic[];
  /** The environment variable holding the connection URL. */
  readonly database: string;
}

export interface HttpLookup {
  readonly kind: 'http';
  readonly url: UrlTemplate;
  /** The value of each placeholder of the path, by name. */
  readonly path: ReadonlyMap<string, CompiledLogic>;
  readonly method: 'GET' | 'POST';
  readonly query: ReadonlyArray<readonly [name: string, value: CompiledLogic]>;
  readonly body?: ReadonlyArray<readonly [name: string, value: CompiledLogic]>;
  readonly headers: ReadonlyArray<readonly [name: string, value: string | { env: string }]>;
  readonly maxBytes: number;
  /** A 404 answer: the value null (no such record), or a bad_response failure. */
  readonly notFound: 'null' | 'error';
}

/** Why a lookup failed: the kinds are metric labels and appear in debugContext, so they are few and fixed. */
export type FailureKind =
  | 'timeout' // the fact's own timeout passed
  | 'deadline' // the request's FACTS_DEADLINE_MS passed first
  | 'unavailable' // connection refused, DNS, pool exhausted, circuit open
  | 'circuit_open'
  | 'bad_response' // HTTP status not 2xx (404 aside), not JSON, over the size cap
  | 'bad_request' // the request could not be built from this request's values (a path value that is empty, . or ..)
  | 'query_error' // the database refused the statement
  | 'config' // a missing environment variable, an http URL in production…
  | 'error'; // anything else (and `error:` in a rule test without a kind we know)

export const FAILURE_KINDS: readonly FailureKind[] = ['timeout', 'deadline', 'unavailable', 'circuit_open', 'bad_response', 'bad_request', 'query_error', 'config', 'error'];

/** A lookup's outcome: failures are values, never thrown through the stage. */
export type LookupResult = { ok: true; value: Json } | LookupFailure;

export interface LookupFailure {
  ok: false;
  kind: FailureKind;
  message: string;
  /**
   * Whether the failure says the source itself is unwell, and so counts toward its circuit
   * breaker. Left out, it follows the kind: timeout and unavailable count, others do not.
   * An HTTP lookup sets it: 5xx, 429 and an answer cut off count; any other answer is about
   * this one lookup, which the request's values may have chosen, so it never counts.
   */
  sourceFault?: boolean;
}

export interface FactFailure {
  kind: FailureKind;
  /** For logs and explanations: never contains fetched values or parameters. */
  message: string;
  onError: OnFactError;
}

/** How one fact was obtained, for `hook-rules eval`, the preview page and the log. */
export interface FactTrace {
  name: string;
  /** sql:DATABASE_ENV_NAME, an HTTP origin (https://host), or given (a rule test's hand-written value). */
  source: string;
  ms: number;
  cacheHit: boolean;
  /** The value (masked unless the fact says `reveal: true`), when it was fetched. */
  value?: unknown;
  failure?: FactFailure;
}

/**
 * What the engine reads: `values` become `facts.NAME` in conditions; a name in `failures`
 * makes the rules reading it follow the fact's onError (see engine/evaluate.ts).
 */
export interface ResolvedFacts {
  values: Record<string, Json | null>;
  failures: Record<string, FactFailure>;
  trace: FactTrace[];
}

export const NO_FACTS: ResolvedFacts = Object.freeze({ values: Object.freeze({}), failures: Object.freeze({}), trace: [] }) as ResolvedFacts;
