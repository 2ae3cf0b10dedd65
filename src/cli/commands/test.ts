import { factEnvironment, factSettings } from '../../config.js';
import { liveSources } from '../../facts/liveSources.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { loadSuites } from '../../suites/loadSuites.js';
import { runSuites, type SuiteRun } from '../../suites/runSuites.js';
import { parse, print, printError, rulesDirFrom, UsageError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';
import { formatTestReport } from '../format/testReport.js';
import { relative } from './validate.js';

export const testCommand: Command = {
  name: 'test',
  help: `hook-rules test: run rule test suites

Usage: hook-rules test [dir] [--min-coverage <percent>] [--explain] [--quiet] [--live]

Loads the ruleset in dir (default: RULES_DIR, else ./rules), then runs every suite in it
(*.test.yaml / *.test.yml, sub-folders included; see schemas/rules-test.schema.json). Each
case sends one request, written as a shorthand, a fixture file or a full Okta payload, and
checks the decision and, when given, the message, the causes, the profile updates, the rule
that decided and the rules that matched (the exact set, or {includes, excludes}). A suite or
a case can replace lists' entries for its cases (lists: {name: [entries]}).

Prints each case; for each failure what differed, what decided, and the counters and facts
the case read (a failed fact with its kind and message); then coverage: the rules no case matched,
the list exceptions (except) that excused no value, and the defaults a file sets that decided
no case.

Facts (docs/facts.md) come from each case's facts: (a value, or {error: KIND}), so suites run
without a database; with --live they are fetched from the sources the environment names
(a failure a case gives is kept: a live source cannot fail on cue).

Options:
  --min-coverage <percent>  fail (exit 4) when fewer rules than this are exercised
  --explain                 print the full explanation of each failing case
  --quiet                   print failures and the summary only
  --live                    fetch facts from the configured databases and APIs

Exit codes: 0 all passed, 4 a case failed (or a suite is invalid, there are no cases, or
coverage is under --min-coverage), 3 invalid rules, 2 bad usage.
`,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { 'min-coverage': { type: 'string' }, explain: { type: 'boolean' }, quiet: { type: 'boolean' }, live: { type: 'boolean' } },
      1,
    );
    const minCoverage = values['min-coverage'] === undefined ? undefined : Number(values['min-coverage']);
    if (minCoverage !== undefined && (!Number.isFinite(minCoverage) || minCoverage < 0 || minCoverage > 100)) {
      throw new UsageError(`--min-coverage takes a percentage from 0 to 100, not "${values['min-coverage']}"`);
    }
    const dir = rulesDirFrom(positionals[0]);
    const loaded = await loadHookRuleset(dir, { environment: factEnvironment() });
    if (!loaded.ok) {
      printError(loaded.errors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError(`the ruleset in ${dir} is invalid; no tests run`);
      return EXIT.invalidRules;
    }
    const suites = await loadSuites(dir);
    if (suites.errors.length > 0) {
      printError(suites.errors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError('invalid test suite; no tests run');
      return EXIT.testsFailed;
    }
    if (suites.cases.length === 0) {
      printError(`no rule tests (*.test.yaml) in ${dir}`);
      return EXIT.testsFailed;
    }
    let run: SuiteRun;
    if (values.live && loaded.ruleset.facts.size > 0) {
      const problems: string[] = [];
      const { environment, deadlineMs } = factSettings(problems);
      if (problems.length > 0) throw new UsageError(problems.join('; '));
      const sources = await liveSources(loaded.ruleset, environment);
      try {
        run = await runSuites(loaded.ruleset, suites.cases, { live: { facts: sources, deadlineMs } });
      } finally {
        await sources.close();
      }
    } else {
      run = runSuites(loaded.ruleset, suites.cases);
    }
    print(formatTestReport(run, loaded.ruleset, { explain: values.explain ?? false, quiet: values.quiet ?? false }));
    const summary = `${run.passed} passed, ${run.failed} failed${run.skipped ? `, ${run.skipped} skipped` : ''}`;
    if (minCoverage !== undefined && run.coverage < minCoverage) {
      print(`Rule tests: ${summary}`);
      printError(`rule coverage ${run.coverage}% is under --min-coverage ${minCoverage}%`);
      return EXIT.testsFailed;
    }
    print(`Rule tests: ${summary}`);
    return run.failed > 0 ? EXIT.testsFailed : EXIT.ok;
  },
};
