import { expect } from 'chai';
import { BUSY_RULES } from '../hostile/support/busyRules.js';
import { send } from '../hostile/support/http.js';
import { startHostileServer, type HostileServer } from '../hostile/support/hostileServer.js';
import { answerProblems, expectedStatus } from '../hostile/support/oracle.js';
import { SLOW_PLACES, SLOW_SHAPES } from '../hostile/support/slowShapes.js';
import { recordLoad, recordNote } from './support/figures.js';
import { runLoad } from './support/load.js';

// The slow-scan inputs (test/hostile/support/slowShapes.ts) and nothing else, at concurrency,
// against the real server in this process, with /healthz asked all along. The server's work is
// this process's CPU time. Bounds are generous (a noisy machine); a quadratic scan took seconds
// per request and held /healthz for as long.

const SECONDS = Number(process.env.STRESS_SECONDS ?? '45') / 3;
const CONCURRENCY = Number(process.env.STRESS_CONCURRENCY ?? '32') / 4;
const CPU_BOUND_MS = 100;
const HEALTH_BOUND_MS = 2_000;

const BODIES = SLOW_SHAPES.flatMap(([shape, text]) => SLOW_PLACES.map(([place, body]) => ({ label: `${shape} as the ${place}`, text: body(text) })));

describe('slow-scan inputs under sustained load, /healthz asked all along', function () {
  this.timeout((SECONDS + 120) * 1000);
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer({ LOG_LEVEL: 'info', ON_RULE_ERROR: 'skip' }, { 'busy.yaml': BUSY_RULES });
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it(`answers every one right, in well under ${CPU_BOUND_MS} ms of CPU each on average, /healthz within ${HEALTH_BOUND_MS} ms`, async () => {
    const health: number[] = [];
    const stop = new AbortController();
    const poll = (async () => {
      while (!stop.signal.aborted) {
        const t0 = performance.now();
        const answer = await send(hostile.url, { method: 'GET', path: '/healthz' });
        health.push(answer.status === 200 ? performance.now() - t0 : Number.POSITIVE_INFINITY);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const cpuBefore = process.cpuUsage();
    const report = await runLoad({
      url: hostile.url,
      durationMs: SECONDS * 1000,
      concurrency: CONCURRENCY,
      next: (i) => ({ headers: { 'content-type': 'application/json' }, body: BODIES[i % BODIES.length]!.text }),
      check: (answer, _request, i) => {
        const { text, label } = BODIES[i % BODIES.length]!;
        const problems = answerProblems(answer);
        if (answer.status !== expectedStatus(text)) problems.push(`${label}: status ${answer.status}`);
        return problems;
      },
    });
    const cpu = process.cpuUsage(cpuBefore);
    stop.abort();
    await poll;
    const cpuPerRequestMs = (cpu.user + cpu.system) / 1000 / Math.max(1, report.answered);
    const slowestHealth = Math.max(...health);
    recordLoad('slow-scan inputs', report);
    recordNote('slow-scan inputs: CPU per request (client and server, one process)', `${cpuPerRequestMs.toFixed(2)} ms`);
    recordNote('slow-scan inputs: slowest /healthz during the load', `${Math.round(slowestHealth)} ms over ${health.length} asks`);
    expect(report.failures).to.deep.equal([]);
    expect(report.answered).to.be.greaterThan(BODIES.length);
    expect(cpuPerRequestMs).to.be.below(CPU_BOUND_MS);
    expect(slowestHealth).to.be.below(HEALTH_BOUND_MS);
  });
});
