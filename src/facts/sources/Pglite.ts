import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { LookupResult } from '../types.js';
import { abortedResult, rowToJson, TEXT_TYPES, whenAborted, type Database, type DatabaseState } from './Database.js';

const asText = (value: string) => value;

/**
 * An embedded PostgreSQL (PGlite) in this process, in memory or on a folder: the same SQL as a
 * server, for trying things out, the examples and rule tests. A seed file runs when the
 * database is new. Sessions are read-only once seeded, as on a server.
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
    const fresh = this.dataDir === null || !existsSync(this.dataDir);
    const parsers = Object.fromEntries(Object.values(TEXT_TYPES).map((oid) => [oid, asText]));
    // Imported here: only a ruleset with a PGlite database loads it.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({ ...(this.dataDir ? { dataDir: this.dataDir } : {}), parsers });
    if (fresh && this.seed) await db.exec(await readFile(this.seed, 'utf8'));
    await db.exec('SET default_transaction_read_only = on');
    if (this.current === 'closed') {
      await db.close();
      return;
    }
    this.db = db;
    this.current = 'up';
  }

  async query(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<LookupResult> {
    if (!this.db) await Promise.race([this.open(), whenAborted(signal)]);
    if (signal.aborted) return abortedResult(signal);
    const db = this.db;
    if (!db) return { ok: false, kind: 'unavailable', message: `${this.label} is ${this.current === 'closed' ? 'closed' : 'unavailable'}` };
    const running = db.query<Record<string, unknown>>(sql, params as unknown[]);
    running.catch(() => undefined);
    const outcome = await Promise.race([running, whenAborted(signal).then(() => undefined)]).catch((error: Error) => error);
    if (outcome === undefined) return abortedResult(signal);
    if (outcome instanceof Error) {
      const code = (outcome as Error & { code?: string }).code;
      return { ok: false, kind: 'query_error', message: `the query failed${code ? ` (SQLSTATE ${code})` : ''}` };
    }
    return rowToJson(outcome.rows[0]);
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
}
