import { Gauge, Histogram, type Registry } from 'prom-client';
import { BatchedCounter } from '../observability/batchedCounter.js';
import type { FailureKind } from './types.js';

/**
 * Per-fact metrics, in the service's registry. Fact names label them: their number is bounded
 * by the ruleset, like rule ids. Source states are a gauge per source (1 up, 0 down), by the
 * environment variable or the literal origin that names it (never a path), so bounded too.
 */
export class FactMetrics {
  private readonly lookups: BatchedCounter<'fact'>;
  private readonly cacheHits: BatchedCounter<'fact'>;
  private readonly failures: BatchedCounter<'fact' | 'kind'>;
  private readonly latency: Histogram<'fact'>;
  readonly sourceUp: Gauge<'source'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lookups = new BatchedCounter({ name: 'okta_hook_fact_lookups_total', help: 'Facts resolved for requests (cache hits included), by fact', labelNames: ['fact'], registers });
    this.cacheHits = new BatchedCounter({ name: 'okta_hook_fact_cache_hits_total', help: 'Facts answered from the cache, by fact', labelNames: ['fact'], registers });
    this.failures = new BatchedCounter({
      name: 'okta_hook_fact_failures_total',
      help: 'Fact lookups that failed, by fact and kind (timeout, deadline, unavailable, circuit_open, bad_response, bad_request, query_error, config, error)',
      labelNames: ['fact', 'kind'],
      registers,
    });
    this.latency = new Histogram({
      name: 'okta_hook_fact_duration_seconds',
      help: 'Time to fetch one fact from its source (cache misses: hits are counted in okta_hook_fact_cache_hits_total), in seconds',
      labelNames: ['fact'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers,
    });
    this.sourceUp = new Gauge({ name: 'okta_hook_fact_source_up', help: 'Whether a fact source answered its last lookup (1) or not (0)', labelNames: ['source'], registers });
  }

  observe(fact: string, ms: number, cacheHit: boolean, failure?: FailureKind): void {
    this.lookups.inc(fact, () => ({ fact }));
    if (cacheHit) this.cacheHits.inc(fact, () => ({ fact }));
    if (failure) this.failures.inc(`${fact} ${failure}`, () => ({ fact, kind: failure }));
    // The source's time: a cache hit takes none, and would only hide the source's own figures.
    if (!cacheHit) this.latency.observe({ fact }, ms / 1000);
  }
}
