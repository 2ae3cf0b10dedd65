#!/usr/bin/env node
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { RulesetLoadError, formatRuleError } from '../rules/RuleError.js';
import { loadRuleset } from '../rules/loadRuleset.js';
import { runPrimary } from '../server/cluster.js';
import { startServer } from '../server/server.js';
import { EXIT } from './exitCodes.js';

const HELP = `hook-rules: declarative Okta registration inline hook

Usage:
  hook-rules serve            serve POST /registrationHook on the rules in RULES_DIR
  hook-rules <command> --help  help for one command

Configuration is read from the environment (see README.md): PORT, HOST, RULES_DIR,
OKTA_HOOK_AUTH_HEADER, OKTA_HOOK_AUTH_SECRET(S)(_FILE), OKTA_HOOK_OAUTH_*, BODY_LIMIT,
ON_RULE_ERROR, LOG_LEVEL, LOG_FORMAT, LOG_PII, WORKERS, TLS_CERT_FILE, TLS_KEY_FILE,
SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS.

Exit codes: 0 ok, 1 error, 2 bad usage, 3 invalid rules, 4 failing rule tests.
`;

const SERVE_HELP = `hook-rules serve: serve the Okta registration inline hook

Usage: hook-rules serve

Loads, validates and compiles every rule file in RULES_DIR (default ./rules), then listens
on HOST:PORT (default 0.0.0.0:8080). An invalid ruleset stops the start with every error as
file:line:column (exit 3). WORKERS=n runs n worker processes on the port (node:cluster);
a worker that dies is replaced. SIGTERM or SIGINT stops it gracefully: /readyz turns 503,
requests in flight finish, and it exits within SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS.
`;

async function serve(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, pii: config.logPii });
  if (config.workers > 1 && cluster.isPrimary) {
    // Check the rules once here: a ruleset that cannot load would only make workers die in a loop.
    const loaded = await loadRuleset(config.rulesDir);
    if (!loaded.ok) {
      logger.fatal({ errors: loaded.errors.map(formatRuleError) }, 'invalid ruleset; not starting');
      process.stderr.write(`${loaded.errors.map(formatRuleError).join('\n')}\n`);
      return EXIT.invalidRules;
    }
    return runPrimary(config, logger);
  }
  try {
    const running = await startServer(config, logger);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // The last resort if something keeps the process busy past the bound.
      setTimeout(() => process.exit(EXIT.error), config.shutdownDelayMs + config.shutdownTimeoutMs + 1_000).unref();
      const { cut } = await running.shutdown();
      logger.info({ cut }, 'stopped');
      process.exit(EXIT.ok);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    return -1; // keep running
  } catch (error) {
    if (error instanceof RulesetLoadError) {
      logger.fatal({ errors: error.errors.map(formatRuleError) }, 'invalid ruleset; not starting');
      process.stderr.write(`${error.errors.map(formatRuleError).join('\n')}\n`);
      return EXIT.invalidRules;
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'serve':
      if (wantsHelp) {
        process.stdout.write(SERVE_HELP);
        return EXIT.ok;
      }
      return serve();
    default:
      process.stderr.write(`hook-rules: unknown command "${command}"\n\n${HELP}`);
      return EXIT.usage;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`hook-rules: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.error;
  },
);
