import cluster from 'node:cluster';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { perWorkerCountersProblem } from '../../counters/workerCounters.js';
import { createLogger, type Logger } from '../../observability/log.js';
import { RulesetLoadError, formatRuleError } from '../../language/RuleError.js';
import { loadHookRuleset } from '../../hooks/loadHookRuleset.js';
import { problemsText, runPrimary, START_FAILED, START_HEADLINES, type StartFailed } from '../../server/cluster.js';
import { answerReloadRequests } from '../../server/clusterReload.js';
import { checkBeforeListening } from '../../server/preflight.js';
import { StartError } from '../../server/StartError.js';
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

Starting: settings are checked before listening, TLS_CERT_FILE/TLS_KEY_FILE included (both
load, the key is the certificate's, neither is a folder) and HOST (it resolves); every problem
is listed (exit 2). A listen that fails (a busy port, HOST not an address of this machine)
exits 1. Either way the log gets one JSON "fatal" line with the problems, stderr gets them in
plain words, and no process is left running, with or without workers.

Reloading: SIGHUP reloads the rules in any mode. With RULES_WATCH=1 (npm run dev sets it)
they reload when files in RULES_DIR change; RULES_WATCH_DEBOUNCE_MS (default 200) waits for
a burst of changes to end, and RULES_WATCH_POLL_MS also polls, for mounts without file events. A
reload that fails keeps the last good rules serving. See docs/rules.md, "Reloading rules".
The hook secret files (OKTA_HOOK_AUTH_SECRET_FILE, OKTA_HOOK_AUTH_SECRETS_FILE) are read
again when they change and on SIGHUP; a set that cannot be read keeps the old one. See
docs/deploy.md, "Rotating the header secret".

Workers: WORKERS=n (or auto) runs n worker processes on the port (node:cluster), each
loading its own rules; a worker that dies is replaced. Signals go to the primary: SIGHUP has
every worker reload and logs one line with the version each now serves; SIGTERM and SIGINT
stop every worker gracefully.

Counters (docs/counters.md): STATE_URL=redis://… (or rediss://) keeps the rules' counters in
Redis, shared by every replica and worker; without it they are kept in memory, per process,
and production refuses WORKERS > 1 when a counter is defined, at start and on a reload that
adds one (the reload is rejected; the rules serving stay). STATE_KEY_SALT hashes the keys
(required in production with STATE_URL).


Stopping: SIGTERM or SIGINT stops gracefully: /readyz turns 503; the port keeps accepting
for SHUTDOWN_DELAY_MS and until no connection has come for 250 ms (at most 2 s more), so
connections already queued are answered, not reset; then the listener closes, requests in
flight finish (answered with Connection: close) and idle connections close. The process
exits within SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS, cutting whatever is still open.

Other settings come from the environment (see the configuration table in README.md).

Exit codes: 0 stopped cleanly, 1 could not listen or another error, 2 invalid configuration,
3 invalid rules.
`,
  async run(argv) {
    parse(argv, {}, 0);
    // Until the reloader takes SIGHUP over, it must not end the process (Node's default).
    const early = () => undefined;
    process.on('SIGHUP', early);
    let config: Config;
    try {
      config = loadConfig();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return refuse(createLogger({ format: 'json' }), { kind: 'config', problems: error.problems, exitCode: EXIT.usage });
    }
    const logger = createLogger({ level: config.logLevel, format: config.logFormat, pii: config.logPii });
    if (cluster.isPrimary) {
      const problems = await checkBeforeListening(config);
      if (problems.length > 0) return refuse(logger, { kind: 'config', problems, exitCode: EXIT.usage });
    }
    if (config.workers > 1 && cluster.isPrimary) {
      // Check the rules once here: a ruleset that cannot load would only make workers die in a loop.
      const loaded = await loadHookRuleset(config.rulesDir, { environment: config.environment });
      if (!loaded.ok) return refuse(logger, { kind: 'rules', problems: loaded.errors.map(formatRuleError), exitCode: EXIT.invalidRules });
      // Counts in memory are per process: wrong with several, so production refuses to start.
      const problem = perWorkerCountersProblem(loaded.ruleset, { workers: config.workers, stateUrl: config.state.url, production: config.nodeEnv === 'production' });
      if (problem) return refuse(logger, { kind: 'config', problems: [problem], exitCode: EXIT.usage });
      process.off('SIGHUP', early);
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
      process.off('SIGHUP', early);
      if (cluster.isWorker) answerReloadRequests(running.reloader, running.secretsReloader);
      return -1; // keep running
    } catch (error) {
      if (error instanceof RulesetLoadError) return refuse(logger, { kind: 'rules', problems: error.errors.map(formatRuleError), exitCode: EXIT.invalidRules });
      if (error instanceof StartError) return refuse(logger, { kind: error.kind, problems: error.problems, exitCode: error.kind === 'config' ? EXIT.usage : EXIT.error });
      throw error;
    }
  },
};

/**
 * The service cannot start: one `fatal` JSON line and the problems on stderr, then exit. A
 * worker leaves both to the primary, which ends the whole (cluster.ts).
 */
function refuse(logger: Logger, failure: Omit<StartFailed, 'type'>): Promise<number> {
  if (cluster.isWorker) {
    return new Promise(() => process.send?.({ type: START_FAILED, ...failure } satisfies StartFailed, () => process.exit(failure.exitCode)));
  }
  logger.fatal({ problems: failure.problems }, `${START_HEADLINES[failure.kind]}; not starting`);
  printError(problemsText(failure));
  // Nothing should be left running; if something is, it must not keep a failed start alive.
  setTimeout(() => process.exit(failure.exitCode), 2_000).unref();
  return Promise.resolve(failure.exitCode);
}
