#!/usr/bin/env node
import { ConfigError } from '../config.js';
import { UsageError, printError, type Command } from './Command.js';
import { EXIT, EXIT_CODES_HELP } from './exitCodes.js';

/** Each command's module loads only when it runs: `validate` never loads the web server. */
const COMMANDS: ReadonlyArray<{ name: string; summary: string; load(): Promise<Command> }> = [
  {
    name: 'serve',
    summary: 'serve POST /registrationHook and /tokenHook on the rules in RULES_DIR (what npm start runs)',
    load: () => import('./commands/serve.js').then((m) => m.serveCommand),
  },
  {
    name: 'validate',
    summary: 'check a ruleset: schema, conditions, lists; every error as file:line:column',
    load: () => import('./commands/validate.js').then((m) => m.validateCommand),
  },
  {
    name: 'test',
    summary: 'run the rule tests (*.test.yaml) beside the rules; report rule coverage',
    load: () => import('./commands/test.js').then((m) => m.testCommand),
  },
  {
    name: 'eval',
    summary: "decide one request: print Okta's response and why (every rule, what it saw)",
    load: () => import('./commands/eval.js').then((m) => m.evalCommand),
  },
  {
    name: 'diff',
    summary: 'what a rule change does: the parts changed, and each tested answer that changes',
    load: () => import('./commands/diff.js').then((m) => m.diffCommand),
  },
  {
    name: 'init',
    summary: 'scaffold a rules repository: rules, tests, package.json, CI, kustomization',
    load: () => import('./commands/init.js').then((m) => m.initCommand),
  },
  {
    name: 'counters',
    summary: 'counters reset NAME KEY: clear a counter for one key in Redis (a false positive)',
    load: () => import('./commands/counters.js').then((m) => m.countersCommand),
  },
];

const HELP = `hook-rules: declarative Okta registration inline hook

Usage: hook-rules <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run "hook-rules <command> --help" for one command. Rules are documented in docs/rules.md,
a rules repository of your own (init, test, diff in pull requests) in docs/rules-repository.md.
The service's configuration is read from the environment (see README.md).

${EXIT_CODES_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    printError(HELP);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(topic ? (await topic.load()).help : HELP);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    printError(`hook-rules: unknown command "${name}"\n\n${HELP}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      printError(`hook-rules ${command.name}: ${error.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      printError(error.message);
      process.exitCode = EXIT.usage;
      return;
    }
    printError(`hook-rules: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = EXIT.error;
  },
);
