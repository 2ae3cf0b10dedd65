import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { Logger } from '../observability/log.js';
import type { Reloader, ReloadOutcome } from '../storage/reloader.js';
import type { SecretsReloader } from './secretsReloader.js';

// SIGHUP with WORKERS > 1 reaches the primary (PID 1 in a container), which holds no rules:
// it asks every worker to reload and logs once what each worker serves now.
const ASK = 'okta-hook-rules:reload-request';
const ANSWER = 'okta-hook-rules:reload-response';
/** The reason a worker reloads with when the primary asks: its metrics leave these reloads to the primary. */
export const FROM_PRIMARY = 'SIGHUP (from the primary)';

interface Answer {
  type: typeof ANSWER;
  id: string;
  outcome: { status: ReloadOutcome['status'] | 'failed'; version?: string; errors?: number; cleared?: boolean };
}

/** How long the primary waits for a worker's reload before reporting it as not answering. */
const ANSWER_TIMEOUT_MS = 30_000;

export interface WorkerReload {
  workerPid: number | undefined;
  status: Answer['outcome']['status'] | 'no answer';
  rulesetVersion?: string;
  errors?: number;
  /** unchanged: the files are back to the live version, and the errors of a rejected edit are gone. */
  cleared?: boolean;
}

/**
 * Primary: has every worker reload, logs one line with what each did and serves now, and
 * counts the reload once in `reloads` (the workers do not count the reloads asked of them):
 * a failure if any worker refused it, a success if any swapped a ruleset in.
 */
export async function reloadWorkers(logger: Logger, reason: string, reloads?: Counter<'result'>): Promise<WorkerReload[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected());
  logger.info({ signal: reason, workers: workers.length }, 'reloading rules in every worker');
  const results = await Promise.all(workers.map((worker) => askOne(worker)));
  const { level, summary } = summarize(results);
  logger[level]({ event: 'rules-reload-workers', reason, workers: results }, summary);
  if (results.some((result) => result.status === 'rejected' || result.status === 'failed')) reloads?.inc({ result: 'failure' });
  else if (results.some((result) => result.status === 'swapped' || result.cleared)) reloads?.inc({ result: 'success' });
  return results;
}

/** The reload line's words: what happened, said of every worker only when it is true of every one. */
function summarize(results: readonly WorkerReload[]): { level: 'info' | 'warn'; summary: string } {
  const versions = new Set(results.map((result) => result.rulesetVersion));
  const version = [...versions][0];
  const every = (...statuses: WorkerReload['status'][]) => results.length > 0 && results.every((result) => statuses.includes(result.status));
  if (versions.size === 1 && every('swapped', 'unchanged')) return { level: 'info', summary: `every worker now serves ${version}` };
  if (versions.size === 1 && every('rejected')) {
    const errors = results[0]!.errors ?? 0;
    return { level: 'warn', summary: `rules reload rejected (${errors} error${errors === 1 ? '' : 's'}); every worker still serves ${version}` };
  }
  return { level: 'warn', summary: 'workers reloaded rules, not all alike: see workers' };
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
      const { status, version, errors, cleared } = message.outcome;
      finish({ workerPid, status, ...(version ? { rulesetVersion: version } : {}), ...(errors ? { errors } : {}), ...(cleared ? { cleared } : {}) });
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
    secretsReloader?.reload(FROM_PRIMARY);
    const reply = (outcome: Answer['outcome']) => process.connected && process.send?.({ type: ANSWER, id, outcome } satisfies Answer);
    reloader.reload(FROM_PRIMARY).then(
      (outcome) =>
        reply(
          outcome.status === 'rejected'
            ? { status: 'rejected', version: outcome.keptVersion, errors: outcome.errors.length }
            : outcome.status === 'unchanged' && outcome.cleared
              ? { status: 'unchanged', version: outcome.version, cleared: true }
              : { status: outcome.status, version: outcome.version },
        ),
      () => reply({ status: 'failed' }),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}
