/**
 * Where counts live: Redis (shared by every replica and worker) or this process's memory.
 * Each counter key holds a sliding-window log: one entry per counted request, named by the
 * request's member id (Okta's eventId, so a retried request is one entry), scored by its time.
 * `count: allowed` counters also hold reservations: a request takes one when it reads the
 * counter and the decision then confirms it (ALLOW) or releases it (anything else).
 */
export interface CounterStore {
  readonly kind: 'redis' | 'memory';
  /** count: attempts. Records the request once per member and returns the window's count, this request included. */
  hit(key: string, member: string, windowMs: number, now: number): Promise<number>;
  /**
   * count: allowed. Atomically: the window's count plus the live reservations, with this
   * request reserved for holdMs unless its member is already counted or reserved (a retry).
   */
  reserve(key: string, member: string, windowMs: number, holdMs: number, now: number): Promise<{ value: number; reserved: boolean }>;
  /** The request was allowed: its reservation becomes an entry of the window, at `at`. */
  confirm(key: string, member: string, windowMs: number, at: number): Promise<void>;
  /** The request was not allowed: its reservation goes. */
  release(key: string, member: string): Promise<void>;
  /**
   * The window's count (with reservations), recording nothing: plus this request when
   * `includeThis` and it is not counted yet, which is what hit/reserve would return (eval,
   * the preview page); without, what a rule for a type the counter does not count sees.
   */
  peek(key: string, member: string, windowMs: number, now: number, includeThis: boolean): Promise<number>;
  /** Clears a key (`hook-rules counters reset`); returns how many entries and reservations went. */
  reset(key: string): Promise<number>;
  /** The connection as /readyz reports it. */
  status(): StoreStatus;
  close(): Promise<void>;
}

/** Why a store operation failed: named by the store, which knows, so no one reads an error's text. */
export type StoreFailureKind = 'timeout' | 'unavailable' | 'error';

/** What a store's operation rejects with when it fails (the memory store never does). */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreStatus {
  store: 'redis' | 'memory';
  /** memory: always ready. redis: ioredis's connection state (ready, connecting, reconnecting, end…). */
  connection: string;
}

/** The reservations' key beside a counter's log (same Redis hash slot: the `{…}` tag is shared). */
export function pendingKey(key: string): string {
  return `${key}:pending`;
}
