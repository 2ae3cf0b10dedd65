import { Redis, ReplyError } from 'ioredis';
import { LATE, within } from '../core/stage.js';
import { pendingKey, StoreError, type CounterStore, type StoreStatus } from './CounterStore.js';
import { CONFIRM, HIT, PEEK, RESERVE } from './scripts.js';

interface CounterCommands {
  counterHit(key: string, now: number, windowMs: number, member: string): Promise<number>;
  counterReserve(log: string, pending: string, now: number, windowMs: number, member: string, holdMs: number): Promise<[number, number]>;
  counterConfirm(log: string, pending: string, at: number, windowMs: number, member: string): Promise<number>;
  counterPeek(log: string, pending: string, now: number, windowMs: number, member: string, includeThis: number): Promise<number>;
}

export interface RedisStoreOptions {
  /** redis:// or rediss:// (TLS). */
  url: string;
  /** Bounds each command; the stage's own deadline bounds the request anyway. */
  commandTimeoutMs: number;
  /** Told when the connection goes down or comes back (for the log). */
  onStateChange?: (state: string, error?: Error) => void;
}

/**
 * Counts in Redis, shared by every replica and worker (ioredis; the scripts are in scripts.ts).
 * Commands fail at once while the connection is down (no offline queue, no retries), so a
 * dead Redis costs a fast failure that the counter's onError decides; ioredis reconnects by
 * itself in the background, and reloads the scripts if a restarted Redis lost them.
 */
export class RedisStore implements CounterStore {
  readonly kind = 'redis';
  private readonly redis: Redis & CounterCommands;
  private readonly commandTimeoutMs: number;

  constructor(options: RedisStoreOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs;
    const redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A backstop that frees a command Redis never answers; the store's own timer (command())
      // ends the wait first, so a timeout is named by which came first, not by a measured time.
      commandTimeout: options.commandTimeoutMs * 2,
      connectTimeout: 2_000,
      // Back off up to a second between attempts, forever: Redis coming back is the normal end.
      retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
    });
    redis.defineCommand('counterHit', { numberOfKeys: 1, lua: HIT });
    redis.defineCommand('counterReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand('counterConfirm', { numberOfKeys: 2, lua: CONFIRM });
    redis.defineCommand('counterPeek', { numberOfKeys: 2, lua: PEEK });
    let last = '';
    const report = (state: string, error?: Error) => {
      if (state === last) return; // one line per change, not one per reconnect attempt
      last = state;
      options.onStateChange?.(state, error);
    };
    redis.on('ready', () => report('ready'));
    redis.on('error', (error: Error) => report('error', error));
    redis.on('end', () => report('end'));
    this.redis = redis as Redis & CounterCommands;
  }

  hit(key: string, member: string, windowMs: number, now: number): Promise<number> {
    return this.command(async () => Number(await this.redis.counterHit(key, now, windowMs, member)));
  }

  reserve(key: string, member: string, windowMs: number, holdMs: number, now: number): Promise<{ value: number; reserved: boolean }> {
    return this.command(async () => {
      const [value, reserved] = await this.redis.counterReserve(key, pendingKey(key), now, windowMs, member, holdMs);
      return { value: Number(value), reserved: Number(reserved) === 1 };
    });
  }

  confirm(key: string, member: string, windowMs: number, at: number): Promise<void> {
    return this.command(async () => void (await this.redis.counterConfirm(key, pendingKey(key), at, windowMs, member)));
  }

  release(key: string, member: string): Promise<void> {
    return this.command(async () => void (await this.redis.zrem(pendingKey(key), member)));
  }

  peek(key: string, member: string, windowMs: number, now: number, includeThis: boolean): Promise<number> {
    return this.command(async () => Number(await this.redis.counterPeek(key, pendingKey(key), now, windowMs, member, includeThis ? 1 : 0)));
  }

  /**
   * One command, its failure named by what the store knows: an answer from Redis that is an
   * error (a ReplyError) is `error`; no answer, because ioredis refuses commands at once while
   * the connection is down (no offline queue) or the connection closed under the command, is
   * `unavailable`, whatever the connection's status says at that instant (it can still say
   * ready just after Redis went away); the store's timer ends a wait that outlives the command
   * timeout. (Timers may fire a little before a measured interval ends, so the kind is never
   * read off the clock.)
   */
  private async command<T>(send: () => Promise<T>): Promise<T> {
    let answer: T | typeof LATE;
    try {
      answer = await within(send(), this.commandTimeoutMs);
    } catch (error) {
      throw new StoreError(error instanceof ReplyError ? 'error' : 'unavailable', (error as Error).message);
    }
    if (answer === LATE) throw new StoreError('timeout', `Command timed out after ${this.commandTimeoutMs} ms`);
    return answer;
  }

  async reset(key: string): Promise<number> {
    const [log, pending] = await Promise.all([this.redis.zcard(key), this.redis.zcard(pendingKey(key))]);
    await this.redis.del(key, pendingKey(key));
    return log + pending;
  }

  status(): StoreStatus {
    return { store: 'redis', connection: this.redis.status };
  }

  /** Resolves once connected (or rejects after timeoutMs): for the CLI, which has one command to send. */
  async ready(timeoutMs: number): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (this.redis.off('ready', onReady), reject(new Error(`Redis not reachable within ${timeoutMs} ms`))), timeoutMs);
      const onReady = () => (clearTimeout(timer), resolve());
      this.redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect(); // not connected: nothing to say goodbye to
    }
  }
}
