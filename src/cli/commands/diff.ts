import { factEnvironment } from '../../config.js';
import { answerChanges, type DiffRequest } from '../../diff/answerChanges.js';
import { suiteRequests } from '../../diff/diffRequests.js';
import { readRequests } from '../../diff/readRequests.js';
import { rulesetChanges } from '../../diff/rulesetChanges.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { loadSuites } from '../../suites/loadSuites.js';
import { parse, print, printError, UsageError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';
import { formatDiffReport, type DiffSide } from '../format/diffReport.js';
import { relative } from './validate.js';

export const diffCommand: Command = {
  name: 'diff',
  help: `hook-rules diff: what a rule change does, before it merges

Usage: hook-rules diff <before> <after> [--requests <path>]... [--json]

Compares two rules folders, e.g. the main branch's and a pull request's. Prints what changed:
rules (added, removed or disabled, and which fields of a rule changed), lists (entries added
and removed), facts, counters, settings and defaults. Then decides every request both
rulesets are tested with (the cases of the suites, *.test.yaml, in both folders, and the
requests of --requests) with each ruleset, and lists every request whose answer changes:
decision, decidedBy, updates, patches, message, causes, each as before → after. A token
request's patches are the operations sent, by token, path, op and value, one a line: ~ changed
(before → after), - sent only before, + sent only after. Values are printed, as profile
updates' are.

Facts and counters are the ones each case gives (facts:, counters:), never fetched; a request
from --requests gives none, so its facts read as null and its counters as a first request's.
A case's facts, counters or list overrides that name something one ruleset lacks are left out
for that ruleset. Skipped cases are left out. Rule errors deny, as ON_RULE_ERROR=deny.

Options:
  --requests <path>  more requests: a JSON Lines file (one request a line), a JSON file, or a
                     folder of JSON files (e.g. payloads saved from Okta); each a full Okta
                     request or the rule tests' shorthand. May be given more than once.
  --json             print {before, after, changes, answers} as JSON, for tools

Exit codes: 0 no answer changes, 1 some answers change, 3 either ruleset is invalid,
4 a suite in either folder is invalid, 2 bad usage (or a --requests path that cannot be read
or holds an invalid request).
`,
  async run(argv) {
    const { values, positionals } = parse(argv, { requests: { type: 'string', multiple: true }, json: { type: 'boolean' } }, 2);
    const [beforeDir, afterDir] = positionals;
    if (beforeDir === undefined || afterDir === undefined) throw new UsageError('give two rules folders: before and after');

    // Both sides judged as the service would judge them here (the facts' variables, NODE_ENV, the deadline).
    const environment = factEnvironment();
    const [before, after] = await Promise.all([loadHookRuleset(beforeDir, { environment }), loadHookRuleset(afterDir, { environment })]);
    for (const [label, dir, loaded] of [['before', beforeDir, before], ['after', afterDir, after]] as const) {
      if (loaded.ok) continue;
      printError(loaded.errors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError(`the ${label} ruleset in ${dir} is invalid`);
    }
    if (!before.ok || !after.ok) return EXIT.invalidRules;

    const [beforeSuites, afterSuites] = await Promise.all([loadSuites(beforeDir), loadSuites(afterDir)]);
    const suiteErrors = [...beforeSuites.errors, ...afterSuites.errors];
    if (suiteErrors.length > 0) {
      printError(suiteErrors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError('invalid test suite; nothing compared');
      return EXIT.testsFailed;
    }
    const requests: DiffRequest[] = suiteRequests({ dir: beforeDir, cases: beforeSuites.cases }, { dir: afterDir, cases: afterSuites.cases });
    for (const target of values.requests ?? []) {
      const read = await readRequests(target);
      if (!read.ok) {
        printError(read.problems.map((problem) => `hook-rules diff: --requests ${problem}`).join('\n'));
        return EXIT.usage;
      }
      requests.push(...read.requests);
    }

    const parts = rulesetChanges(before.ruleset, after.ruleset);
    const answers = answerChanges(before.ruleset, after.ruleset, requests);
    const side = (dir: string, ruleset: typeof before.ruleset): DiffSide => ({ dir, version: ruleset.version, rules: ruleset.rules.length, files: ruleset.files.length });
    const sides = [side(beforeDir, before.ruleset), side(afterDir, after.ruleset)] as const;
    if (values.json) print(JSON.stringify({ before: sides[0], after: sides[1], changes: parts, answers }, null, 2));
    else print(formatDiffReport(sides[0], sides[1], parts, answers));
    return answers.changes.length > 0 ? EXIT.answersChange : EXIT.ok;
  },
};
