import type { SourcePosition } from './position.js';

/** One problem in a rule file, with the position an editor can jump to. */
export interface RuleError extends SourcePosition {
  message: string;
  /** The rule the problem is in: its id (its index when it has none) and where it starts, in the same file. */
  rule?: { id?: string; index?: number; line: number; column: number };
}

/** file:line:column: [rule "id" (file:line:column): ]message — the same words in the CLI, the log and the preview page. */
export function formatRuleError(error: RuleError): string {
  return `${error.file}:${error.line}:${error.column}: ${describeRuleError(error)}`;
}

/** The error without its position: the rule it is in (if any), then the message. */
export function describeRuleError(error: RuleError): string {
  return `${ruleLabel(error)}${error.message}`;
}

function ruleLabel({ rule, file }: RuleError): string {
  if (!rule) return '';
  const name = rule.id !== undefined ? `rule "${rule.id}"` : `rules[${rule.index ?? '?'}]`;
  return `${name} (${file}:${rule.line}:${rule.column}): `;
}

export class RulesetLoadError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(`invalid ruleset (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map(formatRuleError).join('\n')}`);
    this.name = 'RulesetLoadError';
  }
}
