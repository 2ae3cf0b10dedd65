import type { Logger } from '../observability/log.js';
import { formatRuleError, type RuleError } from '../language/RuleError.js';

/** One log line per load warning (a list no rule uses, a pattern with a stray "{"), as file:line:column. */
export function logRuleWarnings(logger: Logger, warnings: readonly RuleError[]): void {
  for (const warning of warnings) logger.warn({ event: 'rules-warning', at: formatRuleError(warning) }, `rule warning: ${formatRuleError(warning)}`);
}
