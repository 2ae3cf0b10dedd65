import { Breaker as SourceBreaker, type BreakerSettings } from '../core/breaker.js';
import type { FailureKind, LookupResult } from './types.js';

export type { BreakerSettings };

/** Failures that say the source itself is unwell. A refused statement or a bad value is the fact's problem, not the source's. */
const SOURCE_FAILURES: ReadonlySet<FailureKind> = new Set(['timeout', 'unavailable', 'bad_response']);

export const DEFAULT_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, resetTimeout: 5000, volumeThreshold: 5, rollingCountTimeout: 10_000 };

/** A fact source's circuit breaker (core/breaker.ts): lookups answer circuit_open while it is open. */
export class Breaker extends SourceBreaker<LookupResult> {
  constructor(settings: BreakerSettings = DEFAULT_BREAKER) {
    super(settings, {
      isSourceFailure: (result) => !result.ok && SOURCE_FAILURES.has(result.kind),
      whenOpen: () => ({ ok: false, kind: 'circuit_open', message: 'the source failed repeatedly: failing fast until a trial lookup succeeds' }),
      whenThrown: (error) => ({ ok: false, kind: 'error', message: error.message }),
    });
  }
}
