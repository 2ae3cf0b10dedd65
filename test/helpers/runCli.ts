import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const CLI = path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `hook-rules` (mocha's setup builds it: test/helpers/build.ts) as a child process. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // RULES_DIR from the caller's shell must not leak into the child; tests that want it pass it.
    const { RULES_DIR: _ignored, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, LOG_LEVEL: 'silent', ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? PACKAGE_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
