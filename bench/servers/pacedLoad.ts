import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './cpuTime.js';
import type { LoadFigures, LoadOptions } from './loadHook.js';
import type { RunningBenchServer } from './spawnServer.js';

/**
 * A steady rate, as Okta sends it: request i is due at start + i / rate, whether or not the
 * answers before it have come (an open model, as wrk2 loads). Its latency runs from when it
 * was due, not from when it went out, so a server (or a generator) that falls behind is charged
 * for the wait, and a slow answer holds up nothing else (coordinated omission avoided by
 * construction). autocannon's fixed rate instead sends each second's share at the start of the
 * second, as fast as the connections allow: a burst, then idle.
 */
export async function pacedLoad(server: RunningBenchServer, options: LoadOptions & { rate: number }): Promise<LoadFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(options.connections, 64) });
  const url = new URL(`${server.url}${options.route ?? '/registrationHook'}`);
  const headers = { 'content-type': 'application/json', ...options.headers };
  const bodies = options.requests.map((request) => Buffer.from(request.body));
  try {
    await run(1_000); // warm-up: JIT, sockets, caches
    const undo = options.during?.(server.pid);
    const before = cpuSeconds(server.pid);
    const measured = await run(options.duration * 1_000);
    const after = cpuSeconds(server.pid);
    undo?.();
    const latencies = measured.latencies.sort((a, b) => a - b);
    const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    return {
      requestsPerSecond: Math.round(measured.answered / options.duration),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: round(latencies[latencies.length - 1] ?? 0),
      cpuUsPerRequest: before === undefined || after === undefined || measured.answered === 0 ? undefined : Math.round(((after - before) * 1e6) / measured.answered),
      errors: measured.errors,
    };
  } finally {
    agent.destroy();
  }

  async function run(durationMs: number): Promise<{ latencies: number[]; answered: number; errors: number }> {
    const latencies: number[] = [];
    let answered = 0;
    let errors = 0;
    const inFlight: Array<Promise<void>> = [];
    const start = performance.now();
    const total = Math.round((durationMs / 1_000) * options.rate);
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1_000) + 1);
      for (; sent < due; sent++) {
        const dueAt = start + (sent * 1_000) / options.rate;
        const body = bodies[sent % bodies.length]!;
        inFlight.push(
          post(body).then(
            (status) => {
              if (status >= 200 && status < 300) {
                answered++;
                latencies.push(performance.now() - dueAt);
              } else errors++;
            },
            () => void errors++,
          ),
        );
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
    return { latencies, answered, errors };
  }

  function post(body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
