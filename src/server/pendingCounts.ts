import type { Counter } from 'prom-client';

type Key = string | number;
interface Entry<L extends string> {
  labels: Partial<Record<L, string>>;
  count: number;
}
type Level<L extends string> = Map<Key, Level<L> | Entry<L>>;

/**
 * Counts kept in nested Maps between scrapes and added to a prom-client counter when it
 * collects (prom-client calls `collect` before every read: /metrics, the cluster's
 * gathering). prom-client builds and hashes a label string on every inc(); the hook counts
 * on every request (once per matched rule), so here each label value is one Map level,
 * looked up by the value itself: rule ids, request types and outcomes are strings the
 * ruleset and the engine already hold, whose hashes V8 keeps, so nothing is built per
 * request. The counter's text is the same, label sets in the order first counted.
 */
export class PendingCounts<L extends string> {
  private readonly root: Level<L> = new Map();
  private readonly entries: Array<Entry<L>> = [];

  constructor(
    private readonly counter: () => Counter<L>,
    /** How many keys each count has: the same number on every add. */
    private readonly depth: number,
  ) {}

  /**
   * One count for the keys (`depth` of them, the unused ones ''); `labels` is called only the
   * first time they are seen, with the same keys. A plain function, so no closure per call.
   */
  add(labels: (a: Key, b: Key, c: Key, d: Key) => Partial<Record<L, string>>, a: Key, b: Key = '', c: Key = '', d: Key = ''): void {
    let level = this.root;
    if (this.depth > 1) level = step(level, a);
    if (this.depth > 2) level = step(level, b);
    if (this.depth > 3) level = step(level, c);
    const last = this.depth === 1 ? a : this.depth === 2 ? b : this.depth === 3 ? c : d;
    const entry = level.get(last) as Entry<L> | undefined;
    if (entry) {
      entry.count++;
      return;
    }
    const created = { labels: labels(a, b, c, d), count: 1 };
    level.set(last, created);
    this.entries.push(created);
  }

  flush(): void {
    for (const entry of this.entries) {
      if (entry.count === 0) continue;
      this.counter().inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

function step<L extends string>(level: Level<L>, key: Key): Level<L> {
  let next = level.get(key) as Level<L> | undefined;
  if (next === undefined) level.set(key, (next = new Map()));
  return next;
}
