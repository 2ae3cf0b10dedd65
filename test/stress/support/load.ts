import http from 'node:http';
import { send, type Answer, type SendOptions } from '../../hostile/support/http.js';

export interface LoadOptions {
  url: string;
  /** Stop starting requests after this long. */
  durationMs: number;
  /** Requests in flight at once (one keep-alive socket each). */
  concurrency: number;
  /** The i-th request to send. */
  next(i: number): SendOptions;
  /** What is wrong with this answer to that request ([] when it is right). */
  check(answer: Answer, request: SendOptions, i: number): string[];
  /** Stop early (e.g. when a fault script is done). */
  signal?: AbortSignal;
  /** A request that got no answer: return true when that is expected (it is then counted as tolerated, not failed). */
  tolerate?(error: NodeJS.ErrnoException, i: number): boolean;
}

export interface LoadReport {
  sent: number;
  answered: number;
  failed: number;
  /** Requests without an answer that `tolerate` accepted (e.g. connections refused after shutdown). */
  tolerated: number;
  byStatus: Record<string, number>;
  /** The first few failures, for the report. */
  failures: string[];
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Sustained, bounded load on loopback: `concurrency` loops each send a request, check its
 * answer, and go again until the time is up. Every answer is checked, so "zero failures"
 * means every single answer was right, not only that the server stayed up. Item 5 of the
 * reliability issue runs this while rewriting rules or killing workers (see faults.stress.ts).
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = performance.now();
  const deadline = started + options.durationMs;
  const latencies: number[] = [];
  const report: LoadReport = { sent: 0, answered: 0, failed: 0, tolerated: 0, byStatus: {}, failures: [], seconds: 0, perSecond: 0, latencyMs: { p50: 0, p99: 0, max: 0 } };
  const fail = (message: string) => {
    report.failed++;
    if (report.failures.length < 20) report.failures.push(message);
  };

  const loop = async () => {
    while (performance.now() < deadline && !options.signal?.aborted) {
      const i = report.sent++;
      const request = options.next(i);
      const t0 = performance.now();
      try {
        const answer = await send(options.url, { timeoutMs: 10_000, ...request, agent });
        latencies.push(performance.now() - t0);
        report.answered++;
        report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
        const problems = options.check(answer, request, i);
        if (problems.length > 0) fail(`#${i}: ${problems.join('; ')}`);
      } catch (error) {
        if (options.tolerate?.(error as NodeJS.ErrnoException, i)) report.tolerated++;
        else fail(`#${i}: ${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  agent.destroy();

  report.seconds = (performance.now() - started) / 1000;
  report.perSecond = Math.round(report.answered / report.seconds);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  report.latencyMs = { p50: at(0.5), p99: at(0.99), max: at(1) };
  return report;
}
