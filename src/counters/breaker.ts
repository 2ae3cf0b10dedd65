/**
 * A circuit breaker for the counter store: after `threshold` failures in a row it opens and
 * calls fail at once for `cooldownMs`, so a dead Redis costs a fast failure, not a timeout per
 * request; then one call is let through, and its success closes the circuit again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trial = false;

  constructor(
    private readonly threshold = 5,
    private readonly cooldownMs = 1_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.clock() < this.openUntil ? 'open' : 'half-open';
  }

  /** Whether a call may go ahead now. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trial) return false;
    this.trial = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trial = false;
  }

  failure(): void {
    this.failures++;
    this.trial = false;
    if (this.failures >= this.threshold) this.openUntil = this.clock() + this.cooldownMs;
  }
}
