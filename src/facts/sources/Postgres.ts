import type pg from 'pg';
import type { LookupResult } from '../types.js';
import { abortedResult, rowToJson, TEXT_TYPES, whenAborted, type Database, type DatabaseState } from './Database.js';

export interface PostgresOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** The server-side backstop for a statement (the caller's timeout gives up much earlier). */
  statementTimeoutMs: number;
  onError?: (error: Error) => void;
}

const asText = (value: string) => value;

/**
 * A PostgreSQL server through a `pg` pool. Every session is read-only by default
 * (default_transaction_read_only), so each fact runs in a read-only transaction without
 * extra round trips. A lookup that outlives its signal gives its connection up (destroyed,
 * not returned to the pool): on a stalled server the pool would otherwise fill with stuck
 * connections. `pg` is imported when the first pool opens: a ruleset without SQL facts (and
 * every cluster worker's start) does not pay for loading it.
 */
export class Postgres implements Database {
  private poolReady: Promise<pg.Pool> | undefined;
  private current: DatabaseState = 'starting';

  constructor(
    readonly label: string,
    private readonly url: string,
    private readonly options: PostgresOptions,
  ) {}

  private pool(): Promise<pg.Pool> {
    this.poolReady ??= import('pg').then(({ default: pg }) => this.createPool(pg));
    return this.poolReady;
  }

  private createPool(pg: typeof import('pg').default): pg.Pool {
    const { url, options } = this;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      idleTimeoutMillis: 30_000,
      // A connection attempt a stalled server never answers must end, or it holds a pool slot for good.
      connectionTimeoutMillis: 5000,
      application_name: 'okta-hook-rules',
      options: `-c default_transaction_read_only=on -c statement_timeout=${options.statementTimeoutMs}`,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          Object.values(TEXT_TYPES).includes(oid as never) ? asText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection that breaks (server restart) is dropped by the pool; note it, do not crash.
    pool.on('error', (error) => {
      this.current = 'down';
      options.onError?.(error);
    });
    return pool;
  }

  async open(): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    await this.query('SELECT 1', [], controller.signal);
    clearTimeout(timer);
  }

  async query(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<LookupResult> {
    if (this.current === 'closed') return { ok: false, kind: 'unavailable', message: `${this.label} is closed` };
    if (signal.aborted) return abortedResult(signal);
    const pool = await this.pool();
    const connecting = pool.connect();
    const client = await Promise.race([connecting, whenAborted(signal).then(() => undefined)]).catch((error: Error) => error);
    if (client instanceof Error) return this.down(client);
    if (client === undefined) {
      // Gave up waiting: the connection, when it comes, goes back to the pool.
      connecting.then((late) => late.release(), () => undefined);
      return abortedResult(signal);
    }
    const running = client.query({ text: sql, values: params as unknown[] });
    const outcome = await Promise.race([running, whenAborted(signal).then(() => undefined)]).catch((error: Error) => error);
    if (outcome === undefined) {
      running.catch(() => undefined);
      client.release(new Error('lookup abandoned')); // destroys the connection
      return abortedResult(signal);
    }
    if (outcome instanceof Error) {
      const code = (outcome as Error & { code?: string }).code;
      // A SQLSTATE is the server refusing the statement; anything else is the connection.
      if (code && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57')) {
        client.release();
        return { ok: false, kind: 'query_error', message: `the query failed (SQLSTATE ${code})` };
      }
      client.release(outcome);
      return this.down(outcome);
    }
    client.release();
    this.current = 'up';
    return rowToJson(outcome.rows[0]);
  }

  state(): DatabaseState {
    return this.current;
  }

  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    if (this.poolReady) await (await this.poolReady).end();
  }

  /** The server's message can quote parameter values: only the error code is kept. */
  private down(error: Error): LookupResult {
    if (this.current !== 'closed') this.current = 'down';
    const code = (error as Error & { code?: string }).code;
    return { ok: false, kind: 'unavailable', message: `${this.label} is unavailable${code ? ` (${code})` : ''}` };
  }
}
