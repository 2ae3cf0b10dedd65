import type { Logger } from '../log.js';
import type { CompiledRuleset } from '../rules/CompiledRuleset.js';
import { formatRuleError } from '../rules/RuleError.js';

/** One warn line per rule warning of a ruleset going live (at start and after each reload). */
export function logRuleWarnings(logger: Logger, ruleset: CompiledRuleset): void {
  for (const warning of ruleset.warnings) {
    logger.warn({ event: 'rules-warning', at: formatRuleError(warning), rulesetVersion: ruleset.version }, `rule warning: ${formatRuleError(warning)}`);
  }
}
