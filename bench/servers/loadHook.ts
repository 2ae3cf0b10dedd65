import autocannon from 'autocannon';
import { cpuSeconds } from './cpuTime.js';
import type { RunningBenchServer } from './spawnServer.js';

/** What one row of the facts and counters tables reports. */
export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The server process's CPU time per answered request; undefined where it cannot be read. */
  cpuUsPerRequest: number | undefined;
  /** Errors, timeouts and answers other than 2xx. */
  errors: number;
}

export interface LoadOptions {
  requests: Array<{ body: string }>;
  connections: number;
  /** Seconds measured, after 1 s of warm-up (JIT, pools, caches). */
  duration: number;
  /** A fixed overall rate (req/s) instead of as fast as the server answers. */
  overallRate?: number;
  /** Called after the warm-up, before measuring; what it returns is called after. */
  during?: (pid: number | undefined) => () => void;
  /** Headers besides the content type (a header secret). */
  headers?: Record<string, string>;
  /** The hook route loaded (/registrationHook). */
  route?: string;
}

/** What autocannon sends to a server's hook route (`route`): JSON bodies posted, with any `headers` besides the content type. */
export function hookLoad(url: string, requests: Array<{ body: string }>, connections: number, headers: Record<string, string> = {}, route = '/registrationHook') {
  return { url: `${url}${route}`, method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, requests, connections };
}

/** Loads a running server's hook route with autocannon and reads its CPU time around the measured part. */
export async function loadHook(server: RunningBenchServer, options: LoadOptions): Promise<LoadFigures> {
  const load = hookLoad(server.url, options.requests, options.connections, options.headers, options.route);
  await autocannon({ ...load, duration: 1 });
  const undo = options.during?.(server.pid);
  const before = cpuSeconds(server.pid);
  const result = await autocannon({ ...load, duration: options.duration, ...(options.overallRate ? { overallRate: options.overallRate } : {}) });
  const after = cpuSeconds(server.pid);
  undo?.();
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    cpuUsPerRequest: before === undefined || after === undefined || result.requests.total === 0 ? undefined : Math.round(((after - before) * 1e6) / result.requests.total),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
