#!/usr/bin/env node
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { RulesetLoadError, formatRuleError } from '../rules/RuleError.js';
import { startServer } from '../server/server.js';
import { EXIT } from './exitCodes.js';

const HELP = `hook-rules: declarative Okta registration inline hook

Usage:
  hook-rules serve            serve POST /registrationHook on the rules in RULES_DIR
  hook-rules <command> --help  help for one command

Configuration is read from the environment (see README.md): PORT, HOST, RULES_DIR,
OKTA_HOOK_AUTH_HEADER, OKTA_HOOK_AUTH_SECRET, BODY_LIMIT, ON_RULE_ERROR, LOG_LEVEL.

Exit codes: 0 ok, 1 error, 2 bad usage, 3 invalid rules, 4 failing rule tests.
`;

const SERVE_HELP = `hook-rules serve: serve the Okta registration inline hook

Usage: hook-rules serve

Loads, validates and compiles every rule file in RULES_DIR (default ./rules), then listens
on HOST:PORT (default 0.0.0.0:8080). An invalid ruleset stops the start with every error as
file:line:column (exit 3). SIGTERM or SIGINT stops it.
`;

async function serve(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Signals are handled from the start, so a stop during loading is not lost.
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return; // a second signal while stopping is ignored, not fatal
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
