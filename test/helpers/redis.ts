import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * A real redis-server on a free loopback port, in a temporary folder, persisting nothing.
 * `stop` kills it (SIGKILL: as a crash looks); `start` brings it back on the same port, empty.
 */
export class TestRedis {
  port = 0;

  /** @param choosePort where the first start looks for a port (by default, one free now). */
  constructor(private readonly choosePort: () => Promise<number> = freePort) {}

  private child: ChildProcess | undefined;
  private dir = '';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server; the first start gives up a port another process took between the check and the bind, for another. */
  async start(): Promise<void> {
    if (!this.dir) this.dir = await mkdtemp(path.join(os.tmpdir(), 'hook-redis-'));
    if (this.port) return this.listen();
    for (let attempt = 1; ; attempt++) {
      this.port = await this.choosePort();
      try {
        return await this.listen();
      } catch (error) {
        if (!/already in use/i.test((error as Error).message) || attempt === 5) throw error;
      }
    }
  }

  private async listen(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** Kills the server (SIGKILL) and waits for it to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async remove(): Promise<void> {
    this.resume();
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export async function startRedis(): Promise<TestRedis> {
  const redis = new TestRedis();
  await redis.start();
  return redis;
}

