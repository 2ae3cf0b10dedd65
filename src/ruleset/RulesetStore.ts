import { EventEmitter } from 'node:events';
import type { CompiledRuleset } from './CompiledRuleset.js';
import type { RuleError } from '../rules/RuleError.js';

export interface RulesetStoreEvents {
  /** A new ruleset is live. */
  swapped: [next: CompiledRuleset, previous: CompiledRuleset];
  /** A reload failed; the current ruleset stays live. */
  rejected: [errors: RuleError[]];
}

/**
 * Holds the ruleset requests are decided by. Swapping replaces one reference, so a request
 * that took the ruleset at its start is decided wholly by it. Reloaders report here; the
 * log, metrics and the preview page listen.
 */
export class RulesetStore extends EventEmitter<RulesetStoreEvents> {
  private lastErrors: RuleError[] = [];

  constructor(private ruleset: CompiledRuleset) {
    super();
  }

  current(): CompiledRuleset {
    return this.ruleset;
  }

  /** Errors of the last failed reload, or [] once a reload has succeeded since. */
  loadErrors(): readonly RuleError[] {
    return this.lastErrors;
  }

  swap(next: CompiledRuleset): CompiledRuleset {
    const previous = this.ruleset;
    this.ruleset = next;
    this.lastErrors = [];
    this.emit('swapped', next, previous);
    return previous;
  }

  reject(errors: RuleError[]): void {
    this.lastErrors = errors;
    this.emit('rejected', errors);
  }
}
