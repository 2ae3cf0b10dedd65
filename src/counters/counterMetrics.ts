import { Counter, Gauge, type Registry } from 'prom-client';
import type { Decision } from '../engine/Decision.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { CounterStore } from './CounterStore.js';
import { MemoryStore } from './memoryStore.js';

/** Counter metrics, registered beside the service's own (labels: counter names, bounded by the ruleset). */
export class CounterMetrics {
  private readonly operations: Counter<'counter' | 'operation'>;
  private readonly failures: Counter<'counter' | 'reason'>;
  private readonly denials: Counter<'counter'>;

  constructor(registry: Registry, store: CounterStore) {
    this.operations = new Counter({
      name: 'okta_hook_counter_operations_total',
      help: 'Counter store operations by counter and operation (hit: counted and read; reserve, confirm, release: count allowed; peek: read only)',
      labelNames: ['counter', 'operation'] as const,
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'okta_hook_counter_failures_total',
      help: 'Counter store operations that failed, by counter and reason (timeout, unavailable, circuit open, error)',
      labelNames: ['counter', 'reason'] as const,
      registers: [registry],
    });
    this.denials = new Counter({
      name: 'okta_hook_counter_denials_total',
      help: 'Denials decided by a rule that reads the counter, or by the counter failing with onError deny',
      labelNames: ['counter'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'okta_hook_counter_store_up',
      help: 'The counter store is connected (memory: always 1)',
      aggregator: 'min',
      registers: [registry],
      collect() {
        this.set(store.status().connection === 'ready' ? 1 : 0);
      },
    });
    if (store instanceof MemoryStore) memoryMetrics(registry, store);
  }

  operation(counter: string, operation: string): void {
    this.operations.inc({ counter, operation });
  }

  failure(counter: string, reason: string): void {
    this.failures.inc({ counter, reason });
  }

  /** A deny by a rule that reads counters counts once for each of them. */
  decision(decision: Decision, ruleset: CompiledRuleset): void {
    if (decision.outcome !== 'deny' || !decision.decidedBy.ruleId) return;
    const rule = ruleset.rules.find((r) => r.id === decision.decidedBy.ruleId);
    for (const name of rule?.counters ?? []) this.denials.inc({ counter: name });
  }
}

/** The in-memory store's bound, what it holds and what the bound evicted (no STATE_URL only). */
function memoryMetrics(registry: Registry, store: MemoryStore): void {
  new Gauge({
    name: 'okta_hook_counter_memory_entries',
    help: 'Entries in the in-memory counter store (one per request counted or reserved in a window, one per key)',
    registers: [registry],
    collect() {
      this.set(store.usage().entries);
    },
  });
  new Gauge({
    name: 'okta_hook_counter_memory_max_entries',
    help: 'The bound of the in-memory counter store (STATE_MEMORY_MAX_ENTRIES): past it, the least recently used keys are evicted',
    registers: [registry],
    collect() {
      this.set(store.usage().maxEntries);
    },
  });
  let counted = 0;
  new Counter({
    name: 'okta_hook_counter_memory_evictions_total',
    help: 'Counter keys evicted from the in-memory store to stay within its bound (their counts start again from zero)',
    registers: [registry],
    collect() {
      const { evictions } = store.usage();
      this.inc(evictions - counted);
      counted = evictions;
    },
  });
}
