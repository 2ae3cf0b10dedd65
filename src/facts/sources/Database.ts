import type { LookupResult } from '../types.js';

/**
 * One database a SQL fact names (by its environment variable). Implementations: Postgres.ts
 * (a `pg` pool on a server) and Pglite.ts (embedded). `query` answers the first row as a
 * plain JSON object, or null when there is none; it never throws, and it stops waiting when
 * `signal` aborts (the caller's timeout), giving up the connection rather than reusing it.
 */
export interface Database {
  /** For logs and /readyz: the kind and the environment variable, never the URL (it may hold a password). */
  readonly label: string;
  /** Connects (or creates the embedded database). Never throws: a database down at start only fails facts. */
  open(): Promise<void>;
  query(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<LookupResult>;
  /** Parses and describes `sql` against the schema (tables, columns, types), executing nothing. Never throws. */
  describe(sql: string, signal: AbortSignal): Promise<DescribeResult>;
  state(): DatabaseState;
  close(): Promise<void>;
}

export type DatabaseState = 'starting' | 'up' | 'down' | 'closed';

/**
 * What `describe` found: the statement would run; the database refused it (a SQLSTATE, with the
 * server's message, which at this point quotes only the rule file's SQL); or the database could
 * not be asked.
 */
export type DescribeResult = { ok: true } | { ok: false; refused: true; code: string; message: string } | { ok: false; refused: false; message: string };

/** Dates and times as PostgreSQL prints them: a Date object would move a birth date across time zones. */
export const TEXT_TYPES = { date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

/** A row as JSON: bigint and numeric arrive as text; bytes as base64. */
export function rowToJson(row: unknown): LookupResult {
  if (row === undefined || row === null) return { ok: true, value: null };
  const value = JSON.parse(JSON.stringify(row, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
  return { ok: true, value };
}

/** A lookup whose signal aborted: the fact's own timeout (FactSources gives each lookup AbortSignal.timeout). */
export function abortedResult(_signal: AbortSignal): Extract<LookupResult, { ok: false }> {
  return { ok: false, kind: 'timeout', message: 'the lookup timed out' };
}

/** Resolves when the signal aborts (never, if it does not). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
