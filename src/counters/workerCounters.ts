import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { RuleError } from '../language/RuleError.js';

/** How the service runs, as far as where counts live is concerned. */
export interface CountingSetup {
  workers: number;
  /** STATE_URL: counts in Redis, shared by every process. */
  stateUrl?: string | undefined;
  production: boolean;
}

/**
 * Counts kept in memory belong to one process: with several workers each would count on its
 * own and every limit would be multiplied by the number of workers. Production refuses that,
 * at start (serve) and on a reload that adds the first counter alike.
 */
export function countsPerWorker(ruleset: CompiledRuleset, setup: CountingSetup): boolean {
  return setup.production && setup.workers > 1 && !setup.stateUrl && ruleset.counters.size > 0;
}

/** The start's refusal, in one line. */
export function perWorkerCountersProblem(ruleset: CompiledRuleset, setup: CountingSetup): string | undefined {
  if (!countsPerWorker(ruleset, setup)) return undefined;
  return `WORKERS=${setup.workers} with counters (${[...ruleset.counters.keys()].join(', ')}) needs STATE_URL: in memory each worker would count on its own`;
}

/** A reload's refusal: one error at each counter's definition. */
export function perWorkerCounterErrors(ruleset: CompiledRuleset, setup: CountingSetup): RuleError[] {
  if (!countsPerWorker(ruleset, setup)) return [];
  return [...ruleset.counters.values()].map((counter) => ({
    ...counter.source,
    message: `counter "${counter.name}": WORKERS=${setup.workers} with counters needs STATE_URL: in memory each worker would count on its own (refused in production, as at start)`,
  }));
}
