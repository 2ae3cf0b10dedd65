/**
 * Starts one bench server in its own process on 127.0.0.1, pinned to its own CPU when
 * `taskset` exists and there are at least two, so it never shares a core with the load
 * generator (this process). Resolves once the server answers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { freePort } from '../../test/helpers/freePort.js';

export interface RunningBenchServer {
  url: string;
  pinned: boolean;
  /** The server's own process (taskset execs it, so the pid stays the same). */
  pid: number | undefined;
  stop(): Promise<void>;
}

const canPin = os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;

/** Pins this process (the load generator) to CPU 0; servers go on CPU 1. */
export function pinSelf(): boolean {
  return canPin && spawnSync('taskset', ['-pc', '0', String(process.pid)]).status === 0;
}

/** A port another process takes between the check and the bind makes the server exit: it is started again on another. */
export async function spawnServer(args: string[], env: Record<string, string>, readyPath: string, pin: boolean): Promise<RunningBenchServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(args, env, readyPath, pin, await freePort());
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 5) throw error;
    }
  }
}

class PortTaken extends Error {}

async function spawnOnce(args: string[], env: Record<string, string>, readyPath: string, pin: boolean, port: number): Promise<RunningBenchServer> {
  const [command, argv] = pin && canPin ? ['taskset', ['-c', '1', process.execPath, ...args]] : [process.execPath, args];
  const child: ChildProcess = spawn(command, argv, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    // stdout (decision logs) goes to /dev/null: written for real, read by nobody.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `bench server ${args.join(' ')} exited: ${stderr}`;
      throw /already in use|EADDRINUSE/.test(stderr) ? new PortTaken(message) : new Error(message);
    }
    try {
      await fetch(`${url}${readyPath}`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`bench server ${args.join(' ')} did not start: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pinned: pin && canPin,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
