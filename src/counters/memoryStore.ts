import { LRUCache } from 'lru-cache';
import { pendingKey, type CounterStore, type StoreStatus } from './CounterStore.js';

interface Entries {
  /** member → time (a log) or expiry (reservations), in insertion order, which is time order. */
  members: Map<string, number>;
  /** When the whole key may go: its newest entry has left the window (or expired). */
  expiresAt: number;
}

/** STATE_MEMORY_MAX_ENTRIES when it is not set. */
export const DEFAULT_MEMORY_MAX_ENTRIES = 100_000;

/** What /metrics says of the store: its entries now, its bound, and how many keys the bound evicted. */
export interface MemoryUsage {
  entries: number;
  maxEntries: number;
  evictions: number;
}

/**
 * Counts in this process's memory: right for one process, wrong as soon as there are two
 * (see serve's warning with WORKERS > 1). Every operation runs to its end without awaiting,
 * so it is atomic here the way the Lua scripts are on Redis. Windows are trimmed from the
 * front of each key's entries.
 *
 * Bounded: a key is as big as its entries (one per request counted or reserved in its window)
 * plus one, and when the total would pass `maxEntries` the keys used least recently go first
 * (lru-cache), so keys a client keeps varying cannot grow the process without limit. An
 * evicted key counts from zero again.
 */
export class MemoryStore implements CounterStore {
  readonly kind = 'memory';
  private readonly keys: LRUCache<string, Entries>;
  private operations = 0;
  private evictions = 0;

  constructor(readonly maxEntries = DEFAULT_MEMORY_MAX_ENTRIES) {
    this.keys = new LRUCache<string, Entries>({
      maxSize: maxEntries,
      sizeCalculation: (entries) => entries.members.size + 1,
      dispose: (_entries, _key, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  async hit(key: string, member: string, windowMs: number, now: number): Promise<number> {
    const log = this.entries(key, now - windowMs, now + windowMs);
    this.add(key, log, member, now);
    this.sweep(now);
    return log.members.size;
  }

  async reserve(key: string, member: string, windowMs: number, holdMs: number, now: number): Promise<{ value: number; reserved: boolean }> {
    const log = this.entries(key, now - windowMs, now + windowMs);
    const pending = this.entries(pendingKey(key), now, now + holdMs);
    let reserved = false;
    if (!log.members.has(member) && !pending.members.has(member)) {
      this.add(pendingKey(key), pending, member, now + holdMs);
      reserved = true;
    }
    this.sweep(now);
    return { value: log.members.size + pending.members.size, reserved };
  }

  async confirm(key: string, member: string, windowMs: number, at: number): Promise<void> {
    this.remove(pendingKey(key), member);
    const log = this.entries(key, at - windowMs, at + windowMs);
    this.add(key, log, member, at);
  }

  async release(key: string, member: string): Promise<void> {
    this.remove(pendingKey(key), member);
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

  usage(): MemoryUsage {
    return { entries: this.keys.calculatedSize, maxEntries: this.maxEntries, evictions: this.evictions };
  }

  async close(): Promise<void> {
    this.keys.clear();
  }

  /** A key's members scored above `after`, created if missing; it lives at least until `keepUntil`. */
  private entries(key: string, after: number, keepUntil: number): Entries {
    let entries = this.keys.get(key);
    if (!entries) {
      entries = { members: new Map(), expiresAt: keepUntil };
    } else {
      trim(entries.members, after);
      entries.expiresAt = Math.max(entries.expiresAt, keepUntil);
    }
    this.weigh(key, entries);
    return entries;
  }

  /**
   * Adds a member once. A single key never outweighs the bound (lru-cache would drop it, and
   * its count with it): past it, its oldest entry makes room, so its count stays at the most.
   */
  private add(key: string, entries: Entries, member: string, score: number): void {
    if (entries.members.has(member)) return;
    if (entries.members.size + 2 > this.maxEntries) {
      const oldest = entries.members.keys().next();
      if (!oldest.done) entries.members.delete(oldest.value);
    }
    entries.members.set(member, score);
    this.weigh(key, entries);
  }

  private remove(key: string, member: string): void {
    const entries = this.keys.get(key);
    if (entries?.members.delete(member)) this.weigh(key, entries);
  }

  private existing(key: string, after: number): Map<string, number> | undefined {
    const entries = this.keys.get(key);
    if (entries && trim(entries.members, after)) this.weigh(key, entries);
    return entries?.members;
  }

  /**
   * Sets a key again after a change: lru-cache weighs a value when it is set, and only a new
   * value object (sharing the same members) is weighed again.
   */
  private weigh(key: string, entries: Entries): void {
    this.keys.set(key, { members: entries.members, expiresAt: entries.expiresAt });
  }

  /** Keys nobody asks for again would wait for eviction: every so many operations, drop the expired ones. */
  private sweep(now: number): void {
    if (++this.operations % 10_000 !== 0) return;
    const expired: string[] = [];
    for (const [key, entries] of this.keys.entries()) if (entries.expiresAt <= now) expired.push(key);
    for (const key of expired) this.keys.delete(key);
  }
}

/** Drops the members scored at or before `after`; true if any went. */
function trim(members: Map<string, number>, after: number): boolean {
  let removed = false;
  for (const [member, score] of members) {
    if (score > after) break;
    members.delete(member);
    removed = true;
  }
  return removed;
}
