import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { RulesetLoadError, formatRuleError } from '../../rules/RuleError.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { parse, printError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';

export const serveCommand: Command = {
  name: 'serve',
  help: `hook-rules serve: serve the Okta registration inline hook

Usage: hook-rules serve

Loads, validates and compiles every rule file in RULES_DIR (default ./rules), then listens
on HOST:PORT (default 0.0.0.0:8080). An invalid ruleset stops the start with every error as
file:line:column (exit 3). SIGTERM or SIGINT stops it; SIGHUP reloads the rules.

With RULES_WATCH=1 (npm run dev sets it) the rules reload when files in RULES_DIR change;
RULES_WATCH_DEBOUNCE_MS (default 200) waits for a burst of changes to end, and
RULES_WATCH_POLL_MS polls instead of using file events. A reload that fails keeps the
last good rules serving. See docs/rules.md, "Reloading rules".

Other settings come from the environment (see README.md): PORT, HOST, RULES_DIR,
OKTA_HOOK_AUTH_HEADER, OKTA_HOOK_AUTH_SECRET, BODY_LIMIT, ON_RULE_ERROR, LOG_LEVEL.

Exit codes: 0 stopped cleanly, 2 invalid configuration, 3 invalid rules, 1 other errors.
`,
  async run(argv) {
    parse(argv, {}, 0);
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    // Signals are handled from the start, so a stop during loading is not lost, and a
    // second signal while stopping is ignored rather than fatal.
    let running: RunningServer | undefined;
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      await running?.close();
      process.exit(EXIT.ok);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    try {
      running = await startServer(config, logger);
      return -1; // keep running
    } catch (error) {
      if (error instanceof RulesetLoadError) {
        logger.fatal({ errors: error.errors.map(formatRuleError) }, 'invalid ruleset; not starting');
        printError(error.errors.map(formatRuleError).join('\n'));
        return EXIT.invalidRules;
      }
      throw error;
    }
  },
};
