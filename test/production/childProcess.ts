import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = path.join(ROOT, 'dist/cli/main.js');
export const FIXTURES = path.resolve(ROOT, 'test/fixtures/okta');

export type LogLine = Record<string, unknown> & { msg?: string; pid?: number };

/** `node dist/cli/main.js serve` (mocha's setup builds it: test/helpers/build.ts) with its stdout read line by line. */
export class ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  stderr = '';
  private waiters: Array<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `options`: another folder to run in and other arguments to node (a copy of the image's files, test/production/image.test.ts). */
  constructor(env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}) {
    this.child = spawn(process.execPath, options.args ?? [MAIN, 'serve'], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', RULES_DIR: path.join(ROOT, 'rules'), LOG_FORMAT: 'json', ...env },
    });
    let buffer = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let index: number;
      while ((index = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, index);
        buffer = buffer.slice(index + 1);
        this.raw.push(text);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((waiter) => (waiter.test(line) ? (waiter.resolve(line), false) : true));
      }
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first log line (seen or to come) that passes `test`; rejects if the process exits first. */
  waitFor(test: (line: LogLine) => boolean, what = 'a log line'): Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ test, resolve });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`process exited (${code ?? signal}) before ${what}\nstderr: ${this.stderr}\nstdout: ${this.raw.join('\n')}`)),
      );
    });
  }

  /** The base URL once a (the first) server logs that it listens. */
  async url(): Promise<string> {
    const line = await this.waitFor((l) => l.msg === 'listening', 'listening');
    return new URL(String(line.url)).origin;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
