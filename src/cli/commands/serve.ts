import cluster from 'node:cluster';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { RulesetLoadError, formatRuleError } from '../../rules/RuleError.js';
import { loadRuleset } from '../../rules/loadRuleset.js';
import { runPrimary } from '../../server/cluster.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { parse, printError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';

export const serveCommand: Command = {
  name: 'serve',
  help: `hook-rules serve: serve the Okta registration inline hook

Usage: hook-rules serve

Loads, validates and compiles every rule file in RULES_DIR (default ./rules), then listens
on HOST:PORT (default 0.0.0.0:8080). An invalid ruleset stops the start with every error as
file:line:column (exit 3).

Reloading: SIGHUP reloads the rules in any mode. With RULES_WATCH=1 (npm run dev sets it)
they reload when files in RULES_DIR change; RULES_WATCH_DEBOUNCE_MS (default 200) waits for
a burst of changes to end, and RULES_WATCH_POLL_MS polls instead of using file events. A
reload that fails keeps the last good rules serving. See docs/rules.md, "Reloading rules".

Workers: WORKERS=n (or auto) runs n worker processes on the port (node:cluster), each
reloading on its own; a worker that dies is replaced.

Counters (docs/counters.md): STATE_URL=redis://… (or rediss://) keeps the rules' counters in
Redis, shared by every replica and worker; without it they are kept in memory, per process,
and production refuses WORKERS > 1 when a counter is defined. STATE_KEY_SALT hashes the keys
(required in production with STATE_URL).

Stopping: SIGTERM or SIGINT stops gracefully: /readyz turns 503, requests in flight finish,
idle connections close, and the process exits within SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS.

Other settings come from the environment (see the configuration table in README.md).

Exit codes: 0 stopped cleanly, 2 invalid configuration, 3 invalid rules, 1 other errors.
`,
  async run(argv) {
    parse(argv, {}, 0);
    const config = loadConfig();
    const logger = createLogger({ level: config.logLevel, format: config.logFormat, pii: config.logPii });
    if (config.workers > 1 && cluster.isPrimary) {
      // Check the rules once here: a ruleset that cannot load would only make workers die in a loop.
      const loaded = await loadRuleset(config.rulesDir);
      if (!loaded.ok) {
        logger.fatal({ errors: loaded.errors.map(formatRuleError) }, 'invalid ruleset; not starting');
        printError(loaded.errors.map(formatRuleError).join('\n'));
        return EXIT.invalidRules;
      }
      // Counts in memory are per process: wrong with several, so production refuses to start.
      if (loaded.ruleset.counters.size > 0 && !config.state.url && config.nodeEnv === 'production') {
        const problem = `WORKERS=${config.workers} with counters (${[...loaded.ruleset.counters.keys()].join(', ')}) needs STATE_URL: in memory each worker would count on its own`;
        logger.fatal(problem);
        printError(`invalid configuration:\n  ${problem}`);
        return EXIT.usage;
      }
      return runPrimary(config, logger);
    }
    // Signals are handled from the start, so a stop during loading is not lost, and a
    // second signal while stopping is ignored rather than fatal.
    let running: RunningServer | undefined;
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // The last resort if something keeps the process busy past the bound.
      setTimeout(() => process.exit(EXIT.error), config.shutdownDelayMs + config.shutdownTimeoutMs + 1_000).unref();
      if (running) {
        const { cut } = await running.shutdown();
        logger.info({ cut }, 'stopped');
      }
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
