import { Counter, type CounterConfiguration, type LabelValues } from 'prom-client';

/**
 * A prom-client counter for the request path. Each count waits in a Map, under a key the caller
 * already has (a rule id; a route, method and status), and is added to the counter when
 * prom-client collects it, which it does before every read of the registry (GET /metrics, the
 * cluster's aggregation). prom-client's own `inc` builds and checks a label string on every
 * call; the text served is the same either way.
 */
export class BatchedCounter<L extends string> {
  private readonly pending = new Map<string, { labels: LabelValues<L>; count: number }>();

  constructor(configuration: Omit<CounterConfiguration<L>, 'collect'>) {
    const pending = this.pending;
    new Counter<L>({
      ...configuration,
      collect() {
        for (const entry of pending.values()) {
          if (entry.count === 0) continue;
          this.inc(entry.labels, entry.count);
          entry.count = 0;
        }
      },
    });
  }

  /** One count for the label set `key` stands for; `labels` is called the first time `key` is seen. */
  inc(key: string, labels: () => LabelValues<L>): void {
    const entry = this.pending.get(key);
    if (entry) entry.count++;
    else this.pending.set(key, { labels: labels(), count: 1 });
  }
}
