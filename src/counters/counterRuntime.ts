import type { Registry } from 'prom-client';
import type { Logger } from '../observability/log.js';
import { Breaker } from '../core/breaker.js';
import { COUNTER_BREAKER, counterBreakerPolicy } from './breaker.js';
import { KeyHasher } from './counterKey.js';
import { CounterMetrics } from './counterMetrics.js';
import type { CounterStore } from './CounterStore.js';
import { MemoryStore } from './memoryStore.js';
import type { RedisStore } from './redisStore.js';
import type { CounterRuntime } from './resolveCounters.js';
import type { StateConfig } from './stateConfig.js';

export interface OpenedRuntime extends CounterRuntime {
  /** What /readyz reports: the store, its connection and the circuit. */
  state(): { store: string; connection: string; circuit: string };
  /** Waits up to timeoutMs for the store's first connection; false if it did not come. */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The counter store for this process: Redis when STATE_URL is set (connecting in the
 * background: a Redis that is down at start fails counters by their onError, it does not stop
 * the service), else memory. ioredis is imported only when STATE_URL is set: a service without
 * it, or without counters, never loads it.
 */
export async function openCounterRuntime(config: StateConfig, options: { logger?: Logger; registry?: Registry } = {}): Promise<OpenedRuntime> {
  const { logger } = options;
  if (!config.url) return runtimeOf(new MemoryStore(config.memoryMaxEntries), config, options.registry);
  const { RedisStore } = await import('./redisStore.js');
  const store = new RedisStore({
    url: config.url,
    commandTimeoutMs: config.timeoutMs,
    onStateChange: (state, error) => {
      if (state === 'ready') logger?.info({ store: 'redis' }, 'counter store connected');
      else logger?.warn({ store: 'redis', state, err: error?.message }, 'counter store unavailable; counters follow their onError until it is back');
    },
  });
  return runtimeOf(store, config, options.registry);
}

/** Counts in this process's memory (an app built without a runtime: tests, the CLI). */
export function memoryRuntime(config: StateConfig): OpenedRuntime {
  return runtimeOf(new MemoryStore(config.memoryMaxEntries), config);
}

function runtimeOf(store: CounterStore, config: StateConfig, registry?: Registry): OpenedRuntime {
  const breaker = new Breaker(COUNTER_BREAKER, counterBreakerPolicy);
  const runtime: OpenedRuntime = {
    store,
    hasher: new KeyHasher(config.keySalt, config.rulesetName),
    breaker,
    timeoutMs: config.timeoutMs,
    ...(registry ? { metrics: new CounterMetrics(registry, store) } : {}),
    state: () => ({ ...store.status(), circuit: breaker.state }),
    connected: async (timeoutMs) => (store.kind === 'redis' ? (store as RedisStore).ready(timeoutMs).then(() => true, () => false) : true),
    close: async () => {
      breaker.shutdown();
      await store.close();
    },
  };
  return runtime;
}
