import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { RuleError } from '../language/RuleError.js';
import { loadSuites } from './loadSuites.js';
import { runSuites } from './runSuites.js';

/**
 * Runs the suites beside the rules (*.test.yaml under `dir`) against a ruleset about to go live
 * (RULES_RELOAD_REQUIRE_TESTS=1): [] when every case passes, else why not, at each failing case.
 * No suites at all is a failure too: the setting promises that tests guard every reload.
 */
export async function suiteFailures(dir: string, ruleset: CompiledRuleset): Promise<RuleError[]> {
  const suites = await loadSuites(dir);
  if (suites.errors.length > 0) return suites.errors.map((error) => ({ ...error, message: `rule test suite: ${error.message}` }));
  if (suites.cases.length === 0) {
    return [{ file: dir, line: 1, column: 1, message: 'RULES_RELOAD_REQUIRE_TESTS is on, but there are no rule tests (*.test.yaml) beside the rules' }];
  }
  const run = runSuites(ruleset, suites.cases);
  return run.results
    .filter((result) => result.status === 'failed')
    .map((result) => ({ ...result.case.at, message: `rule test "${result.case.name}" fails with the new rules: ${result.failures.join('; ')}` }));
}
