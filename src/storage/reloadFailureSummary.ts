import { relativeToRules } from '../ruleset/relativeToRules.js';
import { formatRuleError } from '../language/RuleError.js';
import type { ReloadFailure } from '../ruleset/RulesetStore.js';

/** How many errors /readyz and the reload log line show; the rest are counted (validate lists all). */
export const FIRST_ERRORS = 5;

/** A refused reload in a few lines: when, which files, the first errors (paths relative to the rules folder). */
export function reloadFailureSummary(failure: ReloadFailure, dir: string) {
  const relative = (file: string) => relativeToRules(dir, file);
  return {
    at: failure.at.toISOString(),
    files: failure.files.map(relative),
    errorCount: failure.errors.length,
    firstErrors: failure.errors.slice(0, FIRST_ERRORS).map((error) => formatRuleError({ ...error, file: relative(error.file) })),
  };
}
