import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/log.js';
import type { Json } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { Breaker, DEFAULT_BREAKER, sourceVerdict, type BreakerSettings } from './breaker.js';
import { parseDatabaseUrl } from './databaseUrl.js';
import type { FactMetrics } from './factMetrics.js';
import type { Database } from './sources/Database.js';
import { httpLookup, type HttpRequest } from './sources/http.js';
import { Pglite } from './sources/Pglite.js';
import { Postgres } from './sources/Postgres.js';
import type { CompiledFact, HttpLookup, LookupResult } from './types.js';
import { fillUrlTemplate } from './urlTemplate.js';

export interface FactSourcesOptions {
  /** Where database URLs and header secrets are read: the process environment, read at start. */
  env: NodeJS.ProcessEnv;
  /** FACTS_DEADLINE_MS: also the server-side statement timeout, a backstop. */
  deadlineMs: number;
  logger?: Logger;
  metrics?: FactMetrics;
  breaker?: BreakerSettings;
  /** Cached answers kept at most (least recently used go first). */
  cacheEntries?: number;
}

/** One lookup as the resolve stage sees it. */
export interface LookupOutcome {
  result: LookupResult;
  cacheHit: boolean;
  /** The fact's sourceId (sql:ENV_NAME or an HTTP origin), for explanations and breakers. */
  source: string;
}

/**
 * The state of one source, for /readyz: the service stays ready whatever it is. A database
 * says its own (starting, up, down, closed; unconfigured when its variable holds no URL); an
 * HTTP API is unknown until its first answer, then up or down by the last lookup.
 */
export interface SourceState {
  source: string;
  state: string;
  circuit: 'closed' | 'open' | 'half-open';
}

/** A lookup with its key built, which the cache could not answer: `fetch` runs it. */
export interface PendingLookup {
  readonly fact: CompiledFact;
  readonly key: string;
  readonly source: string;
  readonly run: (signal: AbortSignal) => Promise<LookupResult>;
}

/** What `begin` found: the outcome already (a cache hit, or a lookup that cannot be built), or a lookup to fetch. */
export type BegunLookup = { answer: LookupOutcome } | { pending: PendingLookup };

/** A cached answer: the lookup result itself, shared by every hit and never changed. */
type CachedAnswer = { ok: true; value: Json };

/**
 * Everything fact lookups share across requests: a pool per database (opened when a ruleset
 * naming it is loaded, closed on shutdown), a circuit breaker per source, the answer cache
 * (keyed by the fact's fingerprint and its parameters) and the lookups in flight, so that
 * identical concurrent lookups are one. Lookups never throw: failures are values.
 */
export class FactSources {
  private readonly databases = new Map<string, Database>();
  private readonly breakers = new Map<string, Breaker>();
  private readonly cache: LRUCache<string, CachedAnswer>;
  private readonly inflight = new Map<string, Promise<LookupResult>>();
  /** What the last lookup of each source said about it (HTTP sources' state in /readyz). */
  private readonly verdicts = new Map<string, 'up' | 'down'>();
  private closed = false;

  constructor(readonly options: FactSourcesOptions) {
    this.cache = new LRUCache({ max: options.cacheEntries ?? 10_000 });
  }

  get metrics(): FactMetrics | undefined {
    return this.options.metrics;
  }

  /**
   * Opens the databases the ruleset's facts name that are not open yet, and waits until each
   * has tried once. A database that is down is logged and left to fail its facts; it is tried
   * again by the next lookup (the pool reconnects).
   */
  async prepare(ruleset: CompiledRuleset): Promise<void> {
    const opening: Array<Promise<void>> = [];
    for (const fact of ruleset.facts.values()) {
      if (fact.lookup.kind !== 'sql' || this.databases.has(fact.lookup.database)) continue;
      const database = this.database(fact.lookup.database);
      if (!database) continue;
      opening.push(
        database.open().then(() => {
          const state = database.state();
          this.metrics?.sourceUp.set({ source: `sql:${fact.lookup.kind === 'sql' ? fact.lookup.database : ''}` }, state === 'up' ? 1 : 0);
          if (state === 'up') this.options.logger?.info({ source: database.label }, 'fact database connected');
          else this.options.logger?.warn({ source: database.label }, 'fact database is unavailable: its facts fail (per onError) until it answers');
        }),
      );
    }
    await Promise.all(opening);
  }

  /**
   * Looks one fact up for one request's data (`context`), in two halves. This one is
   * synchronous: it builds the lookup's key once and answers at once when it can (from the
   * cache, or as a config failure when the lookup cannot be built). Otherwise it returns the
   * lookup for `fetch`, so the resolve stage starts timers only for the lookups that need them.
   */
  begin(fact: CompiledFact, context: object): BegunLookup {
    let pending: PendingLookup | LookupResult;
    try {
      pending = this.prepareLookup(fact, context);
    } catch (error) {
      pending = { ok: false, kind: 'config', message: (error as Error).message };
    }
    if ('ok' in pending) return { answer: { result: pending, cacheHit: false, source: fact.sourceId } };
    if (fact.cacheMs > 0) {
      const cached = this.cache.get(pending.key);
      if (cached) return { answer: { result: cached, cacheHit: true, source: pending.source } };
    }
    return { pending };
  }

  /** Runs a lookup `begin` could not answer: once for all identical lookups in flight, through the source's breaker. */
  async fetch(pending: PendingLookup): Promise<LookupOutcome> {
    const { fact, key, source } = pending;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.breaker(source)
        .run(() => (this.closed ? Promise.resolve(CLOSED) : pending.run(AbortSignal.timeout(fact.timeoutMs))))
        .then((result) => {
          this.inflight.delete(key);
          if (result.ok && fact.cacheMs > 0) this.cache.set(key, { ok: true, value: result.value }, { ttl: fact.cacheMs });
          const verdict = sourceVerdict(result);
          if (verdict) {
            this.verdicts.set(source, verdict);
            this.metrics?.sourceUp.set({ source }, verdict === 'up' ? 1 : 0);
          }
          return result;
        });
      this.inflight.set(key, running);
    }
    return { result: await running, cacheHit: false, source };
  }

  /** Every source the ruleset's facts name, from the moment it is loaded: their set is fixed by the rule files. */
  states(ruleset: CompiledRuleset): SourceState[] {
    const states = new Map<string, SourceState>();
    for (const fact of ruleset.facts.values()) {
      const source = fact.sourceId;
      if (states.has(source)) continue;
      const circuit = this.breakers.get(source)?.state ?? 'closed';
      const state = fact.lookup.kind === 'sql' ? (this.databases.get(fact.lookup.database)?.state() ?? 'unconfigured') : (this.verdicts.get(source) ?? 'unknown');
      states.set(source, { source, state, circuit });
    }
    return [...states.values()];
  }

  /** On shutdown: lookups from now on fail at once, breakers stop, every database closes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const breaker of this.breakers.values()) breaker.shutdown();
    await Promise.all([...this.databases.values()].map((database) => database.close().catch(() => undefined)));
  }

  /** The lookup with its key, or the failure when this request's values cannot make one. */
  private prepareLookup(fact: CompiledFact, context: object): PendingLookup | LookupResult {
    const source = fact.sourceId;
    const lookup = fact.lookup;
    if (lookup.kind === 'sql') {
      const params = lookup.params.map((param) => param.run(context) ?? null);
      const database = this.database(lookup.database);
      return {
        fact,
        key: `${fact.fingerprint}\0${JSON.stringify(params)}`,
        source,
        run: (signal) => (database ? database.query(lookup.sql, params, signal) : Promise.resolve(missing(lookup.database))),
      };
    }
    const request = this.httpRequest(lookup, context);
    if ('ok' in request) return request;
    return {
      fact,
      key: `${fact.fingerprint}\0${request.url.href}\0${request.body ?? ''}`,
      source,
      run: (signal) => httpLookup(request, signal),
    };
  }

  private httpRequest(lookup: HttpLookup, context: object): HttpRequest | LookupResult {
    const filled = fillUrlTemplate(lookup.url, (name) => lookup.path.get(name)?.run(context));
    if ('problem' in filled) return { ok: false, kind: 'bad_request', message: filled.problem };
    const { url } = filled;
    for (const [name, value] of lookup.query) {
      const computed = value.run(context);
      if (computed !== null && computed !== undefined) url.searchParams.set(name, typeof computed === 'string' ? computed : JSON.stringify(computed));
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of lookup.headers) {
      const text = typeof value === 'string' ? value : this.options.env[value.env];
      if (text === undefined || text === '') return { ok: false, kind: 'config', message: `environment variable ${typeof value === 'string' ? '' : value.env} (header ${name}) is not set` };
      headers[name] = text;
    }
    const body = lookup.body ? JSON.stringify(Object.fromEntries(lookup.body.map(([name, logic]) => [name, logic.run(context) ?? null]))) : undefined;
    return { url, method: lookup.method, headers, ...(body !== undefined ? { body } : {}), maxBytes: lookup.maxBytes, notFound: lookup.notFound };
  }

  /** The database a SQL fact's variable names (opened by `prepare`), for prepareCheck.ts; undefined when the variable is not set. */
  databaseFor(variable: string): Database | undefined {
    return this.database(variable);
  }

  private database(name: string): Database | undefined {
    const known = this.databases.get(name);
    if (known) return known;
    const url = this.options.env[name];
    if (!url) return undefined;
    const target = parseDatabaseUrl(url);
    if ('problem' in target) return undefined;
    const onError = (error: Error) => this.options.logger?.warn({ source: `sql:${name}`, code: (error as Error & { code?: string }).code }, 'fact database connection error');
    const database =
      target.kind === 'postgres'
        ? new Postgres(`sql:${name}`, target.url, { statementTimeoutMs: this.options.deadlineMs, onError })
        : new Pglite(`sql:${name}`, target.dataDir, target.seed, onError);
    this.databases.set(name, database);
    return database;
  }

  private breaker(source: string): Breaker {
    let breaker = this.breakers.get(source);
    if (!breaker) {
      breaker = new Breaker(this.options.breaker ?? DEFAULT_BREAKER);
      this.breakers.set(source, breaker);
    }
    return breaker;
  }
}

const CLOSED: LookupResult = { ok: false, kind: 'unavailable', message: 'the service is stopping' };

function missing(variable: string): LookupResult {
  return { ok: false, kind: 'config', message: `environment variable ${variable} does not hold a database URL` };
}
