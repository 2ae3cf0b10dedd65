import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

// With WORKERS > 1 a scrape reaches one worker; it asks the primary, which gathers every
// worker's registry (prom-client's AggregatorRegistry) and answers with the sums.
const ASK = 'okta-hook-rules:metrics-request';
const ANSWER = 'okta-hook-rules:metrics-response';

interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
  error?: string;
}

/** Primary: answers workers' requests with the whole cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== ASK || typeof message.id !== 'string') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

/** Worker: offers `registry` to the primary's gathering, and returns how to ask for the cluster's text. */
export function clusterMetricsSource(registry: Registry, timeoutMs = 6_000): () => Promise<string> {
  new AggregatorRegistry(); // installs the worker's answer to the primary's gathering
  AggregatorRegistry.setRegistries([registry]);
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
