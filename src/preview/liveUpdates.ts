import { PassThrough } from 'node:stream';
import type { RulesetStore } from '../ruleset/RulesetStore.js';
import { rulesetState } from './rulesetState.js';

export const MAX_STREAMS = 32;
const HEARTBEAT_MS = 25_000;

/**
 * Server-Sent Events for the preview page: one `state` event when a page connects, and one
 * each time the store swaps in a new ruleset or rejects a reload. One pair of store listeners
 * serves every open page.
 */
export class LiveUpdates {
  private readonly streams = new Set<PassThrough>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly store: RulesetStore) {
    store.on('swapped', () => this.broadcast('swapped'));
    store.on('rejected', () => this.broadcast('rejected'));
    // Comments keep proxies from closing an idle stream; unref'd so it never holds the process.
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  get size(): number {
    return this.streams.size;
  }

  /** A new stream that starts with the current state, or undefined when too many are open. */
  open(): PassThrough | undefined {
    if (this.streams.size >= MAX_STREAMS) return undefined;
    const stream = new PassThrough();
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    stream.on('error', () => stream.destroy()); // a page that went away is not the server's error
    stream.write('retry: 2000\n\n');
    stream.write(message('connected', this.store));
    return stream;
  }

  /** Ends every stream, so a stopping server is not held open by pages. */
  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private broadcast(reason: 'swapped' | 'rejected'): void {
    this.send(message(reason, this.store));
  }

  private send(text: string): void {
    for (const stream of this.streams) if (stream.writable) stream.write(text);
  }
}

function message(reason: string, store: RulesetStore): string {
  return `event: state\ndata: ${JSON.stringify({ reason, ...rulesetState(store) })}\n\n`;
}
