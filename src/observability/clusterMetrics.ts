import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

// With WORKERS > 1 a scrape reaches one worker; it asks the primary, which asks every worker
// for its registry's snapshot and answers with the sums (prom-client's AggregatorRegistry.aggregate).
const ASK = 'okta-hook-rules:metrics-request';
const ANSWER = 'okta-hook-rules:metrics-response';
const SNAPSHOT_ASK = 'okta-hook-rules:metrics-snapshot-request';
const SNAPSHOT = 'okta-hook-rules:metrics-snapshot';

/** A worker that has not sent its snapshot by then is left out of this scrape (and reported). */
export const WORKER_ANSWER_MS = 2_000;

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
  error?: string;
}

interface SnapshotMessage {
  type: typeof SNAPSHOT;
  id: string;
  metrics: Snapshot;
}

/** Counters and histograms only: what must carry on summing after a worker is gone. */
function monotonic(snapshot: Snapshot): Snapshot {
  return snapshot.filter((metric) => ['counter', 'histogram'].includes(String(metric.type)));
}

/**
 * Primary: answers workers' requests with the whole cluster's metrics. Counters never go down
 * while the primary lives: a dead worker's last snapshot is added to a retained base, and a
 * worker that does not answer in time counts with its last snapshot. Gauges come from the
 * workers that answered; `okta_hook_cluster_worker_answered` says which did. `primary`'s own
 * metrics (the reloads it asked of every worker) are added to the workers' sums.
 */
export function serveClusterMetrics(primary?: Registry): void {
  const latest = new Map<number, Snapshot>(); // by worker id, live workers only
  let retained: Snapshot = [];
  let retaining = Promise.resolve();
  const waiting = new Map<string, (metrics: Snapshot) => void>();

  cluster.on('exit', (worker) => {
    const last = latest.get(worker.id);
    latest.delete(worker.id);
    if (!last) return;
    retaining = retaining.then(async () => {
      retained = (await AggregatorRegistry.aggregate([retained, monotonic(last)]).getMetricsAsJSON()) as Snapshot;
    });
  });

  const snapshotOf = (worker: Worker): Promise<boolean> =>
    new Promise((resolve) => {
      const id = randomUUID();
      const timer = setTimeout(() => (waiting.delete(id), resolve(false)), WORKER_ANSWER_MS);
      waiting.set(id, () => (clearTimeout(timer), waiting.delete(id), resolve(true)));
      worker.send({ type: SNAPSHOT_ASK, id }, (error: Error | null) => error && (clearTimeout(timer), waiting.delete(id), resolve(false)));
    });

  const gather = async (): Promise<string> => {
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
    const answered = await Promise.all(workers.map(async (worker) => ({ worker, answered: await snapshotOf(worker) })));
    await retaining;
    // Read `latest` now: a worker that died meanwhile is in `retained` instead, not in both.
    const parts: Snapshot[] = [retained];
    if (primary) parts.push((await primary.getMetricsAsJSON()) as Snapshot);
    const own = new Registry();
    const gauge = new Gauge({
      name: 'okta_hook_cluster_worker_answered',
      help: 'Per live worker: 1 if it gave its metrics for this scrape, 0 if not (its counters are from its last answer)',
      labelNames: ['worker_pid'] as const,
      registers: [own],
    });
    for (const { worker, answered: fresh } of answered) {
      const snapshot = latest.get(worker.id);
      if (snapshot) parts.push(fresh ? snapshot : monotonic(snapshot));
      if (worker.process.pid !== undefined) gauge.set({ worker_pid: String(worker.process.pid) }, fresh ? 1 : 0);
    }
    return Registry.merge([AggregatorRegistry.aggregate(parts), own]).metrics();
  };

  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type === SNAPSHOT && typeof message.id === 'string') {
      // A late answer still counts: it is this worker's newest snapshot.
      latest.set(worker.id, (message as SnapshotMessage).metrics);
      waiting.get(message.id)?.((message as SnapshotMessage).metrics);
      return;
    }
    if (message?.type !== ASK || typeof message.id !== 'string') return;
    const id = message.id;
    gather().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

/** Worker: gives `registry` to the primary's gathering, and returns how to ask for the cluster's text. */
export function clusterMetricsSource(registry: Registry, timeoutMs = WORKER_ANSWER_MS + 4_000): () => Promise<string> {
  process.on('message', (message: { type?: string; id?: string }) => {
    if (message?.type !== SNAPSHOT_ASK || typeof message.id !== 'string') return;
    const id = message.id;
    void registry.getMetricsAsJSON().then((metrics) => process.connected && process.send?.({ type: SNAPSHOT, id, metrics } as SnapshotMessage));
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      const onMessage = (message: Answer) => {
        if (message?.type !== ANSWER || message.id !== id) return;
        finish();
        if (message.text !== undefined) resolve(message.text);
        else reject(new Error(`cluster metrics: ${message.error ?? 'no answer'}`));
      };
      const timer = setTimeout(() => (finish(), reject(new Error('cluster metrics: the primary did not answer'))), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        process.off('message', onMessage);
      };
      process.on('message', onMessage);
      process.send?.({ type: ASK, id });
    });
}
