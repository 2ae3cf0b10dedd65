import path from 'node:path';
import { loadRuleset } from '../../rules/loadRuleset.js';
import { formatRuleError } from '../../rules/RuleError.js';
import { parse, print, printError, rulesDirFrom, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';

export const validateCommand: Command = {
  name: 'validate',
  help: `hook-rules validate: check a ruleset without serving it

Usage: hook-rules validate [dir]

Reads every rule file in dir (default: RULES_DIR, else ./rules) and its list files, checks
them against schemas/rules.schema.json and everything the service checks at load (operators,
paths, patterns, list names, unique ids, facts and their SQL), exactly as the service would.
A fact's environment variable that is not set is a warning here, and an error with
NODE_ENV=production (where the service refuses to start).

Prints "ok" with the ruleset version, or every error as file:line:column: message.
Exit codes: 0 valid, 3 invalid, 2 bad usage.
`,
  async run(argv) {
    const { positionals } = parse(argv, {}, 1);
    const dir = rulesDirFrom(positionals[0]);
    const loaded = await loadRuleset(dir);
    if (!loaded.ok) {
      printError(loaded.errors.map((error) => formatRuleError({ ...error, file: relative(error.file) })).join('\n'));
      printError(`${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}: the ruleset in ${dir} is invalid`);
      return EXIT.invalidRules;
    }
    const { ruleset } = loaded;
    // Outside production an unset fact variable only warns (in production it is an error above).
    for (const warning of ruleset.warnings) printError(`warning: ${formatRuleError({ ...warning, file: relative(warning.file) })}`);
    const lists = [...ruleset.lists.values()].map((list) => `${list.name} (${list.size})`);
    const counters = [...ruleset.counters.values()].map((counter) => `${counter.name} (${counter.window}, ${counter.count})`);
    print(
      `ok: ${ruleset.rules.length} rule${ruleset.rules.length === 1 ? '' : 's'} in ${ruleset.files.length} file${ruleset.files.length === 1 ? '' : 's'}` +
        `${lists.length ? `, lists: ${lists.join(', ')}` : ''}${ruleset.facts.size ? `, facts: ${[...ruleset.facts.keys()].join(', ')}` : ''}` +
          `${counters.length ? `, counters: ${counters.join(', ')}` : ''}; version ${ruleset.version}`,
    );
    return EXIT.ok;
  },
};

/** Paths relative to the working folder when inside it: shorter, and still clickable in editors. */
export function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
