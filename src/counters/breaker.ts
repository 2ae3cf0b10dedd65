import type { BreakerPolicy, BreakerSettings } from '../core/breaker.js';
import type { StoreOutcome } from './resolveCounters.js';

/**
 * The counter store's circuit (core/breaker.ts): once most recent operations failed, counters
 * answer `circuit open` at once for a second, so a dead Redis costs a fast failure, not a
 * timeout per request; then one operation is let through, and its success closes it again.
 */
export const COUNTER_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeout: 1_000, rollingCountTimeout: 10_000 };

export const counterBreakerPolicy: BreakerPolicy<StoreOutcome> = {
  // Every store failure says the store is unwell: a key or a value cannot make a script fail.
  isSourceFailure: (outcome) => !outcome.ok,
  whenOpen: () => ({ ok: false, kind: 'circuit open' }),
  whenThrown: () => ({ ok: false, kind: 'error' }),
};
