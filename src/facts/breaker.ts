import { Breaker as SourceBreaker, type BreakerSettings } from '../core/breaker.js';
import type { FailureKind, LookupResult } from './types.js';

export type { BreakerSettings };

/** Kinds that say the source is unwell when the failure does not say itself (LookupFailure.sourceFault). */
const SOURCE_FAILURES: ReadonlySet<FailureKind> = new Set(['timeout', 'unavailable']);

/**
 * Whether a failed lookup counts toward its source's circuit breaker. A refused statement, an
 * API's 4xx or an answer that is not JSON is about the lookup (and so about the values a
 * request chose), not the source: counting it would let anyone open the circuit for everyone.
 */
export function isSourceFault(result: LookupResult): boolean {
  return !result.ok && (result.sourceFault ?? SOURCE_FAILURES.has(result.kind));
}

/** What a lookup says about its source, for okta_hook_fact_source_up and /readyz; undefined: nothing (it never reached it). */
export function sourceVerdict(result: LookupResult): 'up' | 'down' | undefined {
  if (result.ok) return 'up';
  if (result.kind === 'circuit_open' || isSourceFault(result)) return 'down';
  return result.kind === 'bad_response' ? 'up' : undefined; // it answered, about this lookup
}

export const DEFAULT_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, resetTimeout: 5000, volumeThreshold: 5, rollingCountTimeout: 10_000 };

/** A fact source's circuit breaker (core/breaker.ts): lookups answer circuit_open while it is open. */
export class Breaker extends SourceBreaker<LookupResult> {
  constructor(settings: BreakerSettings = DEFAULT_BREAKER) {
    super(settings, {
      isSourceFailure: isSourceFault,
      whenOpen: () => ({ ok: false, kind: 'circuit_open', message: 'the source failed repeatedly: failing fast until a trial lookup succeeds' }),
      whenThrown: (error) => ({ ok: false, kind: 'error', message: error.message }),
    });
  }
}
