import { pendingKey, type CounterStore, type StoreStatus } from './CounterStore.js';

interface Entries {
  /** member → time (a log) or expiry (reservations), in insertion order, which is time order. */
  members: Map<string, number>;
  /** When the whole key may go: its newest entry has left the window (or expired). */
  expiresAt: number;
}

/**
 * Counts in this process's memory: right for one process, wrong as soon as there are two
 * (see serve's warning with WORKERS > 1). Every operation runs to its end without awaiting,
 * so it is atomic here the way the Lua scripts are on Redis. Windows are trimmed from the
 * front of each key's entries.
 */
export class MemoryStore implements CounterStore {
  readonly kind = 'memory';
  private readonly keys = new Map<string, Entries>();
  private operations = 0;

  async hit(key: string, member: string, windowMs: number, now: number): Promise<number> {
    const log = this.entries(key, now - windowMs, now + windowMs);
    if (!log.has(member)) log.set(member, now);
    this.sweep(now);
    return log.size;
  }

  async reserve(key: string, member: string, windowMs: number, holdMs: number, now: number): Promise<{ value: number; reserved: boolean }> {
    const log = this.entries(key, now - windowMs, now + windowMs);
    const pending = this.entries(pendingKey(key), now, now + holdMs);
    let reserved = false;
    if (!log.has(member) && !pending.has(member)) {
      pending.set(member, now + holdMs);
      reserved = true;
    }
    this.sweep(now);
    return { value: log.size + pending.size, reserved };
  }

  async confirm(key: string, member: string, windowMs: number, at: number): Promise<void> {
    this.keys.get(pendingKey(key))?.members.delete(member);
    const log = this.entries(key, at - windowMs, at + windowMs);
    if (!log.has(member)) log.set(member, at);
  }

  async release(key: string, member: string): Promise<void> {
    this.keys.get(pendingKey(key))?.members.delete(member);
  }

  async peek(key: string, member: string, windowMs: number, now: number, includeThis: boolean): Promise<number> {
    const log = this.existing(key, now - windowMs);
    const pending = this.existing(pendingKey(key), now);
    const counted = log?.has(member) || pending?.has(member);
    return (log?.size ?? 0) + (pending?.size ?? 0) + (counted || !includeThis ? 0 : 1);
  }

  async reset(key: string): Promise<number> {
    const removed = (this.keys.get(key)?.members.size ?? 0) + (this.keys.get(pendingKey(key))?.members.size ?? 0);
    this.keys.delete(key);
    this.keys.delete(pendingKey(key));
    return removed;
  }

  status(): StoreStatus {
    return { store: 'memory', connection: 'ready' };
  }

  async close(): Promise<void> {
    this.keys.clear();
  }

  /** A key's members scored above `after`, created if missing; it lives at least until `keepUntil`. */
  private entries(key: string, after: number, keepUntil: number): Map<string, number> {
    let entries = this.keys.get(key);
    if (!entries) {
      entries = { members: new Map(), expiresAt: keepUntil };
      this.keys.set(key, entries);
    } else {
      trim(entries.members, after);
      entries.expiresAt = Math.max(entries.expiresAt, keepUntil);
    }
    return entries.members;
  }

  private existing(key: string, after: number): Map<string, number> | undefined {
    const entries = this.keys.get(key);
    if (entries) trim(entries.members, after);
    return entries?.members;
  }

  /** Keys nobody asks for again would stay forever: every so many operations, drop the expired ones. */
  private sweep(now: number): void {
    if (++this.operations % 10_000 !== 0) return;
    for (const [key, entries] of this.keys) if (entries.expiresAt <= now) this.keys.delete(key);
  }
}

function trim(members: Map<string, number>, after: number): void {
  for (const [member, score] of members) {
    if (score > after) break;
    members.delete(member);
  }
}
