import type CircuitBreaker from 'opossum';

export interface BreakerSettings {
  /** Share of failed calls in the rolling window that opens the circuit (percent). */
  errorThresholdPercentage: number;
  /** How long an open circuit fails fast before one trial call (ms). */
  resetTimeout: number;
  /** Calls needed in the window before the share counts. */
  volumeThreshold: number;
  rollingCountTimeout: number;
}

/** How a source's calls end, and which of those endings say the source itself is unwell. */
export interface BreakerPolicy<T> {
  /** A source failure (counted by the circuit); any other result, failed or not, counts as a success. */
  isSourceFailure(result: T): boolean;
  /** What a call answers while the circuit is open, without calling the source. */
  whenOpen(): T;
  /** What a call answers when the call itself threw (a bug: sources report failures as values). */
  whenThrown(error: Error): T;
}

class SourceFailure<T> extends Error {
  constructor(readonly result: T) {
    super('source failure');
  }
}

/**
 * A circuit breaker around one source (opossum), for the fact sources and the counter store
 * alike: once most recent calls failed, calls fail at once for resetTimeout, then one trial
 * decides. A dead source costs one fast failure per request instead of a timeout each.
 * Results stay values: a failure never escapes as an exception. Timeouts are the stages' own
 * (the request's deadline), so opossum's is off. opossum is loaded with the first call: a
 * ruleset that never calls a source never loads it.
 */
export class Breaker<T> {
  private circuit: CircuitBreaker<[() => Promise<T>], T> | undefined;
  private loading: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly policy: BreakerPolicy<T>,
  ) {}

  private load(): Promise<void> {
    this.loading ??= import('opossum').then(({ default: Circuit }) => {
      const { isSourceFailure } = this.policy;
      this.circuit = new Circuit(
        async (run: () => Promise<T>) => {
          const result = await run();
          if (isSourceFailure(result)) throw new SourceFailure(result);
          return result;
        },
        { ...this.settings, timeout: false },
      );
      if (this.stopped) this.circuit.shutdown();
    });
    return this.loading;
  }

  /** Open now: a caller may answer at once, without a call or a promise. */
  get open(): boolean {
    return this.circuit?.opened === true;
  }

  async run(call: () => Promise<T>): Promise<T> {
    if (!this.circuit) await this.load();
    try {
      return await this.circuit!.fire(call);
    } catch (error) {
      if (error instanceof SourceFailure) return error.result as T;
      if ((error as { code?: string }).code === 'EOPENBREAKER') return this.policy.whenOpen();
      return this.policy.whenThrown(error as Error);
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
