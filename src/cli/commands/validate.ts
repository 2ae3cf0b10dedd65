import path from 'node:path';
import { factEnvironment } from '../../config.js';
import type { FactEnvironment } from '../../facts/compileFact.js';
import { liveSources } from '../../facts/liveSources.js';
import { prepareCheck, type PrepareCheck } from '../../facts/prepareCheck.js';
import { byPosition } from '../../rules/loadRuleset.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { parse, print, printError, rulesDirFrom, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';

export const validateCommand: Command = {
  name: 'validate',
  help: `hook-rules validate: check a ruleset without serving it

Usage: hook-rules validate [dir] [--strict]

Reads every rule file in dir (default: RULES_DIR, else ./rules) and its list files, checks
them against schemas/rules.schema.json and everything the service checks at load (operators,
paths, patterns, list names, unique ids, facts: their SQL, HTTP URL templates, and timeouts
no longer than FACTS_DEADLINE_MS from the environment), exactly as the service would.
A fact's environment variable that is not set is a warning here, and an error with
NODE_ENV=production (where the service refuses to start).

SQL facts: when a fact's database variable is set, its SQL is prepared on that database
(PostgreSQL parses it and resolves tables, columns and types; nothing runs), as the service
does at start: an unknown table or column is an error at the fact, with the SQLSTATE
(42703 undefined_column). Without the variable, or when the database does not answer, a
warning says the SQL was not checked.

Prints "ok" with the ruleset version, or every error as file:line:column: message.
Warnings (what loads but is almost surely a mistake, or will not work as meant in Okta: a
list no rule uses, a pattern with a stray "{", a deny cause whose location is not
data.userProfile.<attribute>, which the Sign-In Widget shows at no field) are printed as
file:line:column: warning: message; the service logs them too.

Options:
  --strict  treat warnings as errors (exit 3), e.g. in CI

Exit codes: 0 valid, 3 invalid (or warnings with --strict), 2 bad usage.
`,
  async run(argv) {
    const { values, positionals } = parse(argv, { strict: { type: 'boolean' } }, 1);
    const dir = rulesDirFrom(positionals[0]);
    const environment = factEnvironment();
    const loaded = await loadHookRuleset(dir, { environment });
    const strict = values.strict === true;
    // Errors and warnings together, in file order, as an editor lists them.
    const label = strict ? '' : 'warning: ';
    const warnings = loaded.warnings.map((warning) => ({ ...warning, message: `${label}${warning.message}` }));
    const problems = byPosition([...(loaded.ok ? [] : loaded.errors), ...warnings]);
    if (problems.length > 0) printError(problems.map((problem) => formatRuleError({ ...problem, file: relative(problem.file) })).join('\n'));
    const errorCount = (loaded.ok ? 0 : loaded.errors.length) + (strict ? loaded.warnings.length : 0);
    if (!loaded.ok || errorCount > 0) {
      const counted = strict && loaded.warnings.length ? ' (warnings count as errors with --strict)' : '';
      printError(`${errorCount} error${errorCount === 1 ? '' : 's'}${counted}: the ruleset in ${dir} is invalid`);
      return EXIT.invalidRules;
    }
    const { ruleset } = loaded;
    // The SQL checked on its database, where the fact's variable is set; a skipped check is a warning, never an error.
    const sql = await prepareOnDatabases(ruleset, environment);
    for (const note of sql.skipped) printError(formatRuleError({ ...note, file: relative(note.file), message: `warning: ${note.message}` }));
    if (sql.errors.length > 0) {
      printError(sql.errors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError(`${sql.errors.length} error${sql.errors.length === 1 ? '' : 's'}: the ruleset in ${dir} is invalid`);
      return EXIT.invalidRules;
    }
    const lists = [...ruleset.lists.values()].map((list) => `${list.name} (${list.size})`);
    const counters = [...ruleset.counters.values()].map((counter) => `${counter.name} (${counter.window}, ${counter.count})`);
    print(
      `ok: ${ruleset.rules.length} rule${ruleset.rules.length === 1 ? '' : 's'} in ${ruleset.files.length} file${ruleset.files.length === 1 ? '' : 's'}` +
        `${lists.length ? `, lists: ${lists.join(', ')}` : ''}${ruleset.facts.size ? `, facts: ${[...ruleset.facts.keys()].join(', ')}` : ''}` +
        `${counters.length ? `, counters: ${counters.join(', ')}` : ''}; version ${ruleset.version}` +
        `${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`,
    );
    return EXIT.ok;
  },
};

/** Each SQL fact prepared on its database, as the service does at start; the databases are closed after. */
async function prepareOnDatabases(ruleset: CompiledRuleset, environment: FactEnvironment): Promise<PrepareCheck> {
  if (![...ruleset.facts.values()].some((fact) => fact.lookup.kind === 'sql')) return { errors: [], skipped: [] };
  const sources = await liveSources(ruleset, environment);
  try {
    return await prepareCheck(ruleset, (variable) => sources.databaseFor(variable));
  } finally {
    await sources.close();
  }
}

/** Paths relative to the working folder when inside it: shorter, and still clickable in editors. */
export function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
