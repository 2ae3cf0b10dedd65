import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import type { Logger } from '../observability/log.js';
import { serveClusterMetrics } from '../observability/clusterMetrics.js';

/** A worker that dies sooner than this after its start counts towards a crash loop. */
const EARLY_DEATH_MS = 5_000;
/** So many early deaths in a row and the primary gives up (a supervisor restarts the whole). */
const MAX_EARLY_DEATHS = 5;

/**
 * The primary of `WORKERS=n`: forks n workers (each runs `serve` alone: loads and reloads its
 * own rules and shares the port through node:cluster), replaces a worker that dies, and on
 * SIGTERM/SIGINT passes the signal on and waits for the workers' graceful stops.
 * Resolves with the exit code once every worker is gone.
 */
export function runPrimary(config: Pick<Config, 'workers' | 'shutdownDelayMs' | 'shutdownTimeoutMs'>, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let earlyDeaths = 0;
    const startedAt = new Map<Worker, number>();

    const fork = () => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      worker.once('listening', () => logger.info({ workerPid: worker.process.pid, workerId: worker.id }, 'worker started'));
    };

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(0);
        return;
      }
      logger.error({ workerPid: worker.process.pid, workerId: worker.id, code, signal, livedMs: lived }, 'worker died; starting a replacement');
      earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
      if (earlyDeaths >= MAX_EARLY_DEATHS) {
        logger.fatal({ earlyDeaths }, 'workers keep dying right after start; giving up');
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(1);
        else cluster.on('exit', () => Object.keys(cluster.workers ?? {}).length === 0 && resolve(1));
        return;
      }
      fork();
    });

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down workers');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      // Workers bound their own stop; this bounds a worker that hangs anyway.
      setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      }, config.shutdownDelayMs + config.shutdownTimeoutMs + 2_000).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));

    serveClusterMetrics();
    logger.info({ workers: config.workers }, 'starting workers');
    for (let i = 0; i < config.workers; i++) fork();
  });
}
