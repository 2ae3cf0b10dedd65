import type CircuitBreaker from 'opossum';
import type { FailureKind, LookupResult } from './types.js';

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

class SourceFailure extends Error {
  constructor(readonly result: LookupResult) {
    super('source failure');
  }
}

export interface BreakerSettings {
  /** Share of failed lookups in the rolling window that opens the circuit (percent). */
  errorThresholdPercentage: number;
  /** How long an open circuit fails fast before one trial lookup (ms). */
  resetTimeout: number;
  /** Lookups needed in the window before the share counts. */
  volumeThreshold: number;
  rollingCountTimeout: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { errorThresholdPercentage: 50, resetTimeout: 5000, volumeThreshold: 5, rollingCountTimeout: 10_000 };

/**
 * A circuit breaker per fact source (opossum): once most recent lookups of a source failed,
 * further lookups fail at once as circuit_open for resetTimeout, then one trial decides.
 * A dead database costs one fast failure per request instead of a timeout each. Timeouts are
 * the resolve stage's (per fact and per request), so opossum's own is off. opossum is loaded
 * with the first breaker: a ruleset without facts never loads it.
 */
export class Breaker {
  private circuit: CircuitBreaker<[() => Promise<LookupResult>], LookupResult> | undefined;
  private loading: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly settings: BreakerSettings = DEFAULT_BREAKER) {}

  private load(): Promise<void> {
    this.loading ??= import('opossum').then(({ default: Circuit }) => {
      this.circuit = new Circuit(
        async (run: () => Promise<LookupResult>) => {
          const result = await run();
          if (isSourceFault(result)) throw new SourceFailure(result);
          return result;
        },
        { ...this.settings, timeout: false },
      );
      if (this.stopped) this.circuit.shutdown();
    });
    return this.loading;
  }

  async run(lookup: () => Promise<LookupResult>): Promise<LookupResult> {
    if (!this.circuit) await this.load();
    try {
      return await this.circuit!.fire(lookup);
    } catch (error) {
      if (error instanceof SourceFailure) return error.result;
      if ((error as { code?: string }).code === 'EOPENBREAKER') return { ok: false, kind: 'circuit_open', message: 'the source failed repeatedly: failing fast until a trial lookup succeeds' };
      return { ok: false, kind: 'error', message: (error as Error).message };
    }
  }

  get state(): 'closed' | 'open' | 'half-open' {
    return this.circuit?.opened ? 'open' : this.circuit?.halfOpen ? 'half-open' : 'closed';
  }

  shutdown(): void {
    this.stopped = true;
    this.circuit?.shutdown();
  }
}
