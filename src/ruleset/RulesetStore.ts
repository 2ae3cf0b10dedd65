import { EventEmitter } from 'node:events';
import type { CompiledRuleset } from './CompiledRuleset.js';
import type { RuleError } from '../language/RuleError.js';

/** A reload that was refused: when, which files had errors, and the errors. */
export interface ReloadFailure {
  at: Date;
  files: string[];
  errors: RuleError[];
}

export interface RulesetStoreEvents {
  /** A new ruleset is live (`reason`: what triggered the reload, when a reloader did). */
  swapped: [next: CompiledRuleset, previous: CompiledRuleset, reason?: string];
  /** A reload failed; the current ruleset stays live. */
  rejected: [errors: RuleError[], reason?: string];
}

/**
 * Holds the ruleset requests are decided by. Swapping replaces one reference, so a request
 * that took the ruleset at its start is decided wholly by it. Reloaders report here; the
 * log, metrics and the preview page listen.
 */
export class RulesetStore extends EventEmitter<RulesetStoreEvents> {
  private failure: ReloadFailure | undefined;

  constructor(private ruleset: CompiledRuleset) {
    super();
  }

  current(): CompiledRuleset {
    return this.ruleset;
  }

  /** Errors of the last failed reload, or [] once a reload has succeeded since. */
  loadErrors(): readonly RuleError[] {
    return this.failure?.errors ?? [];
  }

  /** The last failed reload, while the rules serving are older than it (undefined once a reload succeeds). */
  lastFailure(): ReloadFailure | undefined {
    return this.failure;
  }

  swap(next: CompiledRuleset, reason?: string): CompiledRuleset {
    const previous = this.ruleset;
    this.ruleset = next;
    this.failure = undefined;
    this.emit('swapped', next, previous, reason);
    return previous;
  }

  reject(errors: RuleError[], reason?: string): void {
    this.failure = { at: new Date(), files: [...new Set(errors.map((error) => error.file))], errors };
    this.emit('rejected', errors, reason);
  }
}
