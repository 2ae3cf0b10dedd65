import { factEnvironment, stateSettings } from '../../config.js';
import { maskKey } from '../../counters/counterKey.js';
import { openCounterRuntime } from '../../counters/counterRuntime.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import { formatRuleError } from '../../language/RuleError.js';
import { parse, print, printError, rulesDirFrom, UsageError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';

export const countersCommand: Command = {
  name: 'counters',
  help: `hook-rules counters: clear a counter for one key (a false positive)

Usage: hook-rules counters reset <counter> <key> [--dir <rules>]

Clears what <counter> has counted for <key> (the value its key expression gives, e.g. an IP
address or an email domain), in the Redis named by STATE_URL, so the next request from that
key counts from 1. The key is hashed exactly as the service hashes it, so STATE_KEY_SALT and
RULESET_NAME must be the service's. The counter must exist in the rules in --dir (default:
RULES_DIR, else ./rules). Counts kept in memory (no STATE_URL) live in the service's own
process: restarting it clears them.

Exit codes: 0 reset, 1 the store could not be reached, 2 bad usage or configuration,
3 invalid rules.
`,
  async run(argv) {
    const { values, positionals } = parse(argv, { dir: { type: 'string' } }, 3);
    const [action, name, key] = positionals;
    if (action !== 'reset') throw new UsageError(action === undefined ? 'give an action: reset' : `unknown action "${action}" (reset)`);
    if (name === undefined || key === undefined) throw new UsageError('give the counter and the key: counters reset <counter> <key>');

    const problems: string[] = [];
    const state = stateSettings(problems);
    if (problems.length > 0) throw new UsageError(problems.join('; '));
    if (!state.url) throw new UsageError('STATE_URL is not set: counts in memory live in the service process (restart it to clear them)');

    const loaded = await loadHookRuleset(rulesDirFrom(values.dir), { environment: factEnvironment() });
    if (!loaded.ok) {
      printError(loaded.errors.map(formatRuleError).join('\n'));
      return EXIT.invalidRules;
    }
    if (!loaded.ruleset.counters.has(name)) {
      const known = [...loaded.ruleset.counters.keys()];
      throw new UsageError(`no counter named "${name}" (${known.length ? `known: ${known.join(', ')}` : 'the rules define no counters'})`);
    }

    const runtime = await openCounterRuntime(state);
    try {
      if (!(await runtime.connected(5_000))) {
        printError('hook-rules counters: the Redis in STATE_URL cannot be reached');
        return EXIT.error;
      }
      const removed = await runtime.store.reset(runtime.hasher.storeKey(name, key));
      print(`reset ${name} for ${maskKey(key)}: ${removed} ${removed === 1 ? 'entry' : 'entries'} removed`);
      return EXIT.ok;
    } finally {
      await runtime.close();
    }
  },
};
