import type { CompiledLogic } from '../engine/logic.js';
import type { Json } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';

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
  http: string | Json;
  method?: 'GET' | 'POST';
  query?: Record<string, Json>;
  /** name → JSON-Logic value. */
  body?: Record<string, Json>;
  headers?: Record<string, string | { env: string }>;
  maxBytes?: number;
}

export type Duration = number | string;

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
  readonly url: string | CompiledLogic;
  readonly method: 'GET' | 'POST';
  readonly query: ReadonlyArray<readonly [name: string, value: CompiledLogic]>;
  readonly body?: ReadonlyArray<readonly [name: string, value: CompiledLogic]>;
  readonly headers: ReadonlyArray<readonly [name: string, value: string | { env: string }]>;
  readonly maxBytes: number;
}

/** Why a lookup failed: the kinds are metric labels and appear in debugContext, so they are few and fixed. */
export type FailureKind =
  | 'timeout' // the fact's own timeout passed
  | 'deadline' // the request's FACTS_DEADLINE_MS passed first
  | 'unavailable' // connection refused, DNS, pool exhausted, circuit open
  | 'circuit_open'
  | 'bad_response' // HTTP status not 2xx, not JSON, over the size cap
  | 'query_error' // the database refused the statement
  | 'config' // a missing environment variable, an http URL in production…
  | 'error'; // anything else (and `error:` in a rule test without a kind we know)

export const FAILURE_KINDS: readonly FailureKind[] = ['timeout', 'deadline', 'unavailable', 'circuit_open', 'bad_response', 'query_error', 'config', 'error'];

/** A lookup's outcome: failures are values, never thrown through the stage. */
export type LookupResult = { ok: true; value: Json } | { ok: false; kind: FailureKind; message: string };

export interface FactFailure {
  kind: FailureKind;
  /** For logs and explanations: never contains fetched values or parameters. */
  message: string;
  onError: OnFactError;
}

/** How one fact was obtained, for `hook-rules eval`, the preview page and the log. */
export interface FactTrace {
  name: string;
  /** sql:DATABASE_ENV_NAME, http:host, or given (a rule test's hand-written value). */
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
