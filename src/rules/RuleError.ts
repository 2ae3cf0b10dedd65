import type { SourcePosition } from './types.js';

/** One problem in a rule file, with the position an editor can jump to. */
export interface RuleError extends SourcePosition {
  message: string;
}

export function formatRuleError(error: RuleError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.message}`;
}

export class RulesetLoadError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(`invalid ruleset (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map(formatRuleError).join('\n')}`);
    this.name = 'RulesetLoadError';
  }
}
