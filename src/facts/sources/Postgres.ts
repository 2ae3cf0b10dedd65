import type pg from 'pg';
import { describeSqlstate, isSqlstate } from '../sqlstate.js';
import type { LookupResult } from '../types.js';
import { abortedResult, rowToJson, TEXT_TYPES, whenAborted, type Database, type DatabaseState, type DescribeResult } from './Database.js';

export interface PostgresOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** The server-side backstop for a statement (the caller's timeout gives up much earlier). */
  statementTimeoutMs: number;
  onError?: (error: Error) => void;
}

const asText = (value: string) => value;

type Failure = Extract<LookupResult, { ok: false }>;
type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> => promise.then((value) => ({ ok: true, value }) as const, (error: Error) => ({ ok: false, error }) as const);

/**
 * A PostgreSQL server through a `pg` pool. Each lookup runs in its own read-only transaction
 * with a local statement_timeout, ended by ROLLBACK: whatever a statement changed in the session
 * (set_config(…, false) included) is undone before the connection serves the next lookup.
 * BEGIN, the lookup and ROLLBACK are pipelined (pg's `pipeline` mode), so they cost one round
 * trip, as the bare statement did. The session defaults (read-only, statement_timeout) stay as
 * a second fence. A lookup that outlives its signal gives its connection up (destroyed, not
 * returned to the pool): on a stalled server the pool would otherwise fill with stuck
 * connections. `pg` is imported when the first pool opens: a ruleset without SQL facts (and
 * every cluster worker's start) does not pay for loading it.
 */
export class Postgres implements Database {
  private poolReady: Promise<pg.Pool> | undefined;
  private current: DatabaseState = 'starting';
  private readonly begin: string;

  constructor(
    readonly label: string,
    private readonly url: string,
    private readonly options: PostgresOptions,
  ) {
    if (!Number.isSafeInteger(options.statementTimeoutMs) || options.statementTimeoutMs <= 0) throw new Error('statementTimeoutMs must be a positive whole number');
    this.begin = `BEGIN READ ONLY; SET LOCAL statement_timeout = ${options.statementTimeoutMs}`;
  }

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
      // Set here, PGOPTIONS from the environment is not read either (databaseUrl.ts refuses them in the URL).
      options: `-c default_transaction_read_only=on -c statement_timeout=${options.statementTimeoutMs}`,
      pipeline: true,
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
    const ran = await this.inTransaction(signal, (client) => client.query({ text: sql, values: params as unknown[] }));
    if ('failed' in ran) return ran.failed;
    return rowToJson(ran.value.rows[0]);
  }

  /** PREPARE parses and analyses the statement (tables, columns, types) and runs nothing; DEALLOCATE drops it. */
  async describe(sql: string, signal: AbortSignal): Promise<DescribeResult> {
    const ran = await this.inTransaction(
      signal,
      (client) => client.query(`PREPARE hook_rules_check AS ${sql}`),
      (client) => client.query('DEALLOCATE hook_rules_check'),
    );
    if (!('failed' in ran)) return { ok: true };
    const code = (ran.error as Error & { code?: string } | undefined)?.code;
    if (ran.failed.kind === 'query_error' && isSqlstate(code)) return { ok: false, refused: true, code, message: ran.error!.message };
    return { ok: false, refused: false, message: ran.failed.message };
  }

  state(): DatabaseState {
    return this.current;
  }

  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    if (this.poolReady) await (await this.poolReady).end();
  }

  /**
   * Runs `statement` between BEGIN READ ONLY and ROLLBACK on a pooled connection, all three
   * written at once. A SQLSTATE from the statement is a `query_error` (the server refused it);
   * any other failure is the connection's.
   */
  private async inTransaction<T>(
    signal: AbortSignal,
    statement: (client: pg.PoolClient) => Promise<T>,
    after?: (client: pg.PoolClient) => Promise<unknown>,
  ): Promise<{ value: T } | { failed: Failure; error?: Error }> {
    if (this.current === 'closed') return { failed: { ok: false, kind: 'unavailable', message: `${this.label} is closed` } };
    if (signal.aborted) return { failed: abortedResult(signal) };
    const pool = await this.pool();
    const connecting = pool.connect();
    const client = await Promise.race([connecting, whenAborted(signal).then(() => undefined)]).catch((error: Error) => error);
    if (client instanceof Error) return { failed: this.down(client) };
    if (client === undefined) {
      // Gave up waiting: the connection, when it comes, goes back to the pool.
      connecting.then((late) => late.release(), () => undefined);
      return { failed: abortedResult(signal) };
    }
    const steps = [settle(client.query(this.begin)), settle(statement(client)), ...(after ? [settle(after(client))] : []), settle(client.query('ROLLBACK'))];
    const all = Promise.all(steps);
    const outcome = await Promise.race([all, whenAborted(signal).then(() => undefined)]);
    if (outcome === undefined) {
      client.release(new Error('lookup abandoned')); // destroys the connection
      return { failed: abortedResult(signal) };
    }
    const [begun, ran, ...rest] = outcome as [Settled<unknown>, Settled<T>, ...Array<Settled<unknown>>];
    const ended = rest[rest.length - 1]!;
    const failure = !ran.ok ? ran.error : !begun.ok ? begun.error : !ended.ok ? ended.error : undefined;
    if (!failure) {
      client.release();
      this.current = 'up';
      return { value: (ran as { ok: true; value: T }).value };
    }
    const code = (failure as Error & { code?: string }).code;
    // A SQLSTATE is the server refusing the statement; anything else (and classes 08, 57) is the connection.
    if (isSqlstate(code) && !code.startsWith('08') && !code.startsWith('57') && ended.ok) {
      client.release();
      // The server's message can quote parameter values: the lookup's failure keeps only the code.
      return { failed: { ok: false, kind: 'query_error', message: `the query failed (SQLSTATE ${describeSqlstate(code)})` }, error: failure };
    }
    client.release(failure);
    return { failed: this.down(failure) };
  }

  /** The server's message can quote parameter values: only the error code is kept. */
  private down(error: Error): Failure {
    if (this.current !== 'closed') this.current = 'down';
    const code = (error as Error & { code?: string }).code;
    return { ok: false, kind: 'unavailable', message: `${this.label} is unavailable${code ? ` (${isSqlstate(code) ? describeSqlstate(code) : code})` : ''}` };
  }
}
