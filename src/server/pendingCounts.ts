import type { Counter } from 'prom-client';

/**
 * Counts kept in a Map between scrapes and added to a prom-client counter when it collects
 * (prom-client calls `collect` before every read: /metrics, the cluster's gathering).
 * prom-client builds and hashes a label string on every inc(), about 0.5 µs; the hook adds
 * one count per matched rule on every request, found here by a key the caller already holds
 * (a rule id). The counter's text is the same, label sets in the order first counted.
 */
export class PendingCounts<L extends string> {
  private readonly pending = new Map<string, { labels: Partial<Record<L, string>>; count: number }>();

  constructor(private readonly counter: () => Counter<L>) {}

  /** `labels` is called only the first time `key` is seen: one key, one label set. */
  add(key: string, labels: () => Partial<Record<L, string>>): void {
    const entry = this.pending.get(key);
    if (entry) entry.count++;
    else this.pending.set(key, { labels: labels(), count: 1 });
  }

  flush(): void {
    for (const entry of this.pending.values()) {
      if (entry.count === 0) continue;
      this.counter().inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}
