import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One `hook-rules` sub-command. `run` returns the exit code, or -1 to keep running (serve). */
export interface Command {
  name: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Bad command-line usage: exit 2 with the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs, with its errors turned into UsageError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, maxPositionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`);
  return parsed;
}

/** The rules folder: the argument, else RULES_DIR, else ./rules (as the service). */
export function rulesDirFrom(positional: string | undefined): string {
  return positional ?? process.env.RULES_DIR ?? './rules';
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printError(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
