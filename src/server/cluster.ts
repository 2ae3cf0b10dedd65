import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import type { Logger } from '../observability/log.js';
import { reloadWorkers } from './clusterReload.js';
import { Registry } from 'prom-client';
import { serveClusterMetrics } from '../observability/clusterMetrics.js';
import { reloadsCounter } from '../observability/metrics.js';

/** A worker that dies sooner than this after its start counts towards a crash loop. */
const EARLY_DEATH_MS = 5_000;
/** So many early deaths in a row and the primary gives up (a supervisor restarts the whole). */
const MAX_EARLY_DEATHS = 5;

/** A worker that cannot start (bad TLS files, a busy port) tells the primary why, then exits. */
export const START_FAILED = 'okta-hook-rules:start-failed';
export interface StartFailed {
  type: typeof START_FAILED;
  problems: string[];
  kind: 'config' | 'listen' | 'rules';
  exitCode: number;
}

export const START_HEADLINES: Record<StartFailed['kind'], string> = {
  config: 'invalid configuration',
  rules: 'invalid ruleset',
  listen: 'cannot listen',
};

/** For stderr: the headline, then a problem a line (rule errors unindented: file:line:column starts the line). */
export function problemsText(failure: Pick<StartFailed, 'kind' | 'problems'>): string {
  const indent = failure.kind === 'rules' ? '' : '  ';
  return `${START_HEADLINES[failure.kind]}:\n${failure.problems.map((problem) => indent + problem).join('\n')}`;
}

/**
 * The primary of `WORKERS=n`: forks n workers (each runs `serve` alone: loads and reloads its
 * own rules and shares the port through node:cluster), replaces a worker that dies, on SIGHUP
 * has every worker reload its rules, and on SIGTERM/SIGINT passes the signal on and waits for
 * the workers' graceful stops. A worker that cannot start ends the whole (one `fatal` line:
 * starting another would fail the same way). Resolves with the exit code once every worker is gone.
 */
export function runPrimary(config: Pick<Config, 'workers' | 'shutdownDelayMs' | 'shutdownTimeoutMs'>, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let exitCode = 0;
    let earlyDeaths = 0;
    const startedAt = new Map<Worker, number>();
    // A worker that has exited can still be listed until its IPC channel closes: it is not live.
    const live = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && !worker.isDead());

    const fork = () => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      worker.once('listening', () => logger.info({ workerPid: worker.process.pid, workerId: worker.id }, 'worker started'));
    };

    /** Stops every worker with `signal` and resolves with `code` once they are gone (bounded). */
    const stopAll = (signal: NodeJS.Signals, code: number) => {
      stopping = true;
      exitCode = code;
      for (const worker of live()) worker.process.kill(signal);
      if (live().length === 0) resolve(exitCode);
      // Workers bound their own stop; this bounds a worker that hangs anyway.
      setTimeout(() => {
        for (const worker of live()) worker.process.kill('SIGKILL');
      }, config.shutdownDelayMs + config.shutdownTimeoutMs + 2_000).unref();
    };

    cluster.on('message', (_worker, message: StartFailed) => {
      if (message?.type !== START_FAILED || stopping) return;
      logger.fatal({ problems: message.problems }, `${START_HEADLINES[message.kind]}; not starting`);
      process.stderr.write(`${problemsText(message)}\n`); // the same words on stderr, for a person at a terminal
      stopAll('SIGTERM', message.exitCode);
    });

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) {
        if (live().length === 0) resolve(exitCode);
        return;
      }
      logger.error({ workerPid: worker.process.pid, workerId: worker.id, code, signal, livedMs: lived }, 'worker died; starting a replacement');
      earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
      if (earlyDeaths >= MAX_EARLY_DEATHS) {
        logger.fatal({ earlyDeaths }, 'workers keep dying right after start; giving up');
        stopAll('SIGTERM', 1);
        return;
      }
      fork();
    });

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      logger.info({ signal, workers: live().length }, 'shutting down workers');
      stopAll(signal, 0);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // One count per reload asked of the workers, whatever their number (they do not count these).
    const metrics = new Registry();
    const reloads = reloadsCounter(metrics);
    process.on('SIGHUP', () => {
      if (!stopping) void reloadWorkers(logger, 'SIGHUP', reloads);
    });

    serveClusterMetrics(metrics);
    logger.info({ workers: config.workers }, 'starting workers');
    for (let i = 0; i < config.workers; i++) fork();
  });
}
