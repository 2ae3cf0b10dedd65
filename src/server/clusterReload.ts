import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/log.js';
import type { Reloader, ReloadOutcome } from '../ruleset/reloader.js';
import type { SecretsReloader } from './secretsReloader.js';

// SIGHUP with WORKERS > 1 reaches the primary (PID 1 in a container), which holds no rules:
// it asks every worker to reload and logs once what each worker serves now.
const ASK = 'okta-hook-rules:reload-request';
const ANSWER = 'okta-hook-rules:reload-response';

interface Answer {
  type: typeof ANSWER;
  id: string;
  outcome: { status: ReloadOutcome['status'] | 'failed'; version?: string; errors?: number };
}

/** How long the primary waits for a worker's reload before reporting it as not answering. */
const ANSWER_TIMEOUT_MS = 30_000;

export interface WorkerReload {
  workerPid: number | undefined;
  status: Answer['outcome']['status'] | 'no answer';
  rulesetVersion?: string;
  errors?: number;
}

/** Primary: has every worker reload, and logs one line with the version each now serves. */
export async function reloadWorkers(logger: Logger, reason: string): Promise<WorkerReload[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
  logger.info({ signal: reason, workers: workers.length }, 'reloading rules in every worker');
  const results = await Promise.all(workers.map((worker) => askOne(worker)));
  const versions = new Set(results.map((result) => result.rulesetVersion));
  const allServe = versions.size === 1 && results.every((result) => result.status !== 'no answer' && result.status !== 'failed');
  const line = { event: 'rules-reload-workers', reason, workers: results };
  const summary = allServe ? `every worker now serves ${[...versions][0]}` : 'workers reloaded rules, not all alike: see workers';
  if (allServe && results.every((result) => result.status !== 'rejected')) logger.info(line, summary);
  else logger.warn(line, summary);
  return results;
}

function askOne(worker: Worker): Promise<WorkerReload> {
  const id = randomUUID();
  const workerPid = worker.process.pid;
  return new Promise((resolve) => {
    const finish = (result: WorkerReload) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(result);
    };
    const onMessage = (message: Answer) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      const { status, version, errors } = message.outcome;
      finish({ workerPid, status, ...(version ? { rulesetVersion: version } : {}), ...(errors ? { errors } : {}) });
    };
    const onExit = () => finish({ workerPid, status: 'no answer' });
    const timer = setTimeout(onExit, ANSWER_TIMEOUT_MS);
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.send({ type: ASK, id }, (error: Error | null) => error && onExit());
  });
}

/** Worker: reloads its rules (and its secret files, when set) when the primary asks, and tells it the outcome. */
export function answerReloadRequests(reloader: Reloader, secretsReloader?: SecretsReloader): () => void {
  const onMessage = (message: { type?: string; id?: string }) => {
    if (message?.type !== ASK || typeof message.id !== 'string') return;
    const id = message.id;
    secretsReloader?.reload('SIGHUP (from the primary)');
    const reply = (outcome: Answer['outcome']) => process.connected && process.send?.({ type: ANSWER, id, outcome } satisfies Answer);
    reloader.reload('SIGHUP (from the primary)').then(
      (outcome) =>
        reply(
          outcome.status === 'rejected'
            ? { status: 'rejected', version: outcome.keptVersion, errors: outcome.errors.length }
            : { status: outcome.status, version: outcome.version },
        ),
      () => reply({ status: 'failed' }),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}
