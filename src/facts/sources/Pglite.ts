import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { describeSqlstate, isSqlstate } from '../sqlstate.js';
import type { LookupResult } from '../types.js';
import { abortedResult, rowToJson, TEXT_TYPES, whenAborted, type Database, type DatabaseState, type DescribeResult } from './Database.js';
import { copyOfFolder } from './pgliteFolder.js';

const asText = (value: string) => value;

/**
 * An embedded PostgreSQL (PGlite) in this process: the same SQL as a server, for trying things
 * out, the examples and rule tests. In memory, the seed file runs at each start. On a folder,
 * the folder is created and seeded once, then each process (each worker) reads its own copy of
 * it in memory (pgliteFolder.ts). Each lookup runs in its own read-only transaction, rolled back,
 * as on a server.
 */
export class Pglite implements Database {
  private db: PGlite | undefined;
  private opening: Promise<void> | undefined;
  private current: DatabaseState = 'starting';

  constructor(
    readonly label: string,
    private readonly dataDir: string | null,
    private readonly seed: string | null,
    private readonly onError?: (error: Error) => void,
  ) {}

  open(): Promise<void> {
    this.opening ??= this.start().catch((error: Error) => {
      this.current = 'down';
      this.onError?.(error);
    });
    return this.opening;
  }

  private async start(): Promise<void> {
    const parsers = Object.fromEntries(Object.values(TEXT_TYPES).map((oid) => [oid, asText]));
    // Imported here: only a ruleset with a PGlite database loads it.
    const { PGlite } = await import('@electric-sql/pglite');
    let db: PGlite;
    if (this.dataDir === null) {
      db = await PGlite.create({ parsers });
      if (this.seed) await db.exec(await readFile(this.seed, 'utf8'));
    } else {
      db = await PGlite.create({ parsers, loadDataDir: await copyOfFolder(PGlite, this.dataDir, this.seed) });
    }
    // The session default is a second fence; each lookup's own transaction is the first.
    await db.exec('SET default_transaction_read_only = on');
    if (this.current === 'closed') {
      await db.close();
      return;
    }
    this.db = db;
    this.current = 'up';
  }

  async query(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<LookupResult> {
    const ran = await this.run(signal, (db) =>
      // PGlite has no statement_timeout (nothing interrupts WebAssembly): the caller's signal is the only limit.
      db.transaction(async (tx) => {
        await tx.exec('SET TRANSACTION READ ONLY');
        try {
          return await tx.query<Record<string, unknown>>(sql, params as unknown[]);
        } finally {
          await tx.rollback();
        }
      }),
    );
    if ('failed' in ran) return ran.failed;
    return rowToJson(ran.value.rows[0]);
  }

  /** PGlite's describeQuery: Parse and Describe, nothing executed. */
  async describe(sql: string, signal: AbortSignal): Promise<DescribeResult> {
    const ran = await this.run(signal, (db) => db.describeQuery(sql));
    if (!('failed' in ran)) return { ok: true };
    const code = (ran.error as (Error & { code?: string }) | undefined)?.code;
    if (ran.failed.kind === 'query_error' && isSqlstate(code)) return { ok: false, refused: true, code, message: ran.error!.message };
    return { ok: false, refused: false, message: ran.failed.message };
  }

  state(): DatabaseState {
    return this.current;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.current = 'closed';
    this.db = undefined;
    if (db) await db.close();
  }

  private async run<T>(signal: AbortSignal, work: (db: PGlite) => Promise<T>): Promise<{ value: T } | { failed: Extract<LookupResult, { ok: false }>; error?: Error }> {
    if (!this.db) await Promise.race([this.open(), whenAborted(signal)]);
    if (signal.aborted) return { failed: abortedResult(signal) };
    const db = this.db;
    if (!db) return { failed: { ok: false, kind: 'unavailable', message: `${this.label} is ${this.current === 'closed' ? 'closed' : 'unavailable'}` } };
    const running = work(db);
    running.catch(() => undefined);
    const outcome = await Promise.race([running.then((value) => ({ value })), whenAborted(signal).then(() => undefined)]).catch((error: Error) => error);
    if (outcome === undefined) return { failed: abortedResult(signal) };
    if (outcome instanceof Error) {
      const code = (outcome as Error & { code?: string }).code;
      // The message can quote parameter values: the lookup's failure keeps only the code.
      return { failed: { ok: false, kind: 'query_error', message: `the query failed${isSqlstate(code) ? ` (SQLSTATE ${describeSqlstate(code)})` : ''}` }, error: outcome };
    }
    return outcome;
  }
}
