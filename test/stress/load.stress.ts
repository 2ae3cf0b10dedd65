import { expect } from 'chai';
import fc from 'fast-check';
import { fixture, REQUEST_FIXTURES, ssrRequest } from '../helpers/fixtures.js';
import { BUSY_RULES } from '../hostile/support/busyRules.js';
import { send, type SendOptions } from '../hostile/support/http.js';
import { startHostileServer, type HostileServer } from '../hostile/support/hostileServer.js';
import { anyJson, EVERY_TYPE, pathsOf, withPath } from '../hostile/support/mutations.js';
import { answerProblems, expectedStatus } from '../hostile/support/oracle.js';
import { SLOW_PLACES, SLOW_SHAPES } from '../hostile/support/slowShapes.js';
import { recordLoad, recordNote } from './support/figures.js';
import { runLoad } from './support/load.js';

// Sustained bounded load on loopback with a mix of good and hostile traffic; every answer is
// checked (status and shape), so the figure that matters is failures: 0.

const SECONDS = Number(process.env.STRESS_SECONDS ?? '45');
const CONCURRENCY = Number(process.env.STRESS_CONCURRENCY ?? '32');
const SECRET = 'stress-secret-value-0123456789';
const AUTH = { 'content-type': 'application/json', authorization: SECRET };

interface Planned {
  request: SendOptions;
  status: number;
}

/** A fixed, shuffled mix: Okta's fixtures, random and mutated bodies, and every refusal. */
function trafficMix(): Planned[] {
  const json = (text: string, status: number = expectedStatus(text)): Planned => ({ request: { headers: AUTH, body: text }, status });
  const plan: Planned[] = [];
  for (const name of REQUEST_FIXTURES) for (let i = 0; i < 15; i++) plan.push(json(JSON.stringify(fixture(name)), 200));
  for (const email of ['a@example.com', 'b@notexample.com', 'C@EXAMPLE.COM', 'x@evil.org', 'a'.repeat(5000) + '@example.com']) plan.push(json(JSON.stringify(ssrRequest({ email })), 200));
  for (const value of fc.sample(anyJson, { numRuns: 150, seed: 6 })) plan.push(json(JSON.stringify(value) ?? 'null'));
  const ssr = fixture('guide-ssr-request-2022.json');
  const mutated = fc.tuple(fc.constantFrom(...pathsOf(ssr)), fc.oneof(fc.constantFrom(...EVERY_TYPE), anyJson));
  for (const [path, value] of fc.sample(mutated, { numRuns: 150, seed: 7 })) plan.push(json(JSON.stringify(withPath(ssr, path, value))));
  const body = JSON.stringify(ssr);
  for (let i = 0; i < 10; i++) {
    plan.push({ request: { headers: { 'content-type': 'application/json', authorization: SECRET.slice(0, -1) + 'x' }, body }, status: 401 });
    plan.push({ request: { headers: { 'content-type': 'application/json' }, body }, status: 401 });
  }
  // Inputs a backtracking scan takes seconds on (test/hostile/support/slowShapes.ts), each once.
  for (const [, text] of SLOW_SHAPES) for (const [, body] of SLOW_PLACES) plan.push(json(body(text)));
  plan.push(json(JSON.stringify({ data: { userProfile: { a: 'x'.repeat(120_000) } } }), 413));
  plan.push(json(`{"data":{"userProfile":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}}`, 400));
  plan.push(json('{"data": ', 400));
  plan.push({ request: { headers: AUTH, body: 'x', method: 'PUT' }, status: 405 });
  plan.push({ request: { headers: AUTH, body, path: '/nope' }, status: 404 });
  plan.push({ request: { headers: { ...AUTH, 'content-type': 'text/plain' }, body }, status: 415 });
  return fc.sample(fc.shuffledSubarray(plan, { minLength: plan.length }), { numRuns: 1, seed: 8 })[0]!;
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

for (const [label, env, files, share] of [
  ['default rules', { OKTA_HOOK_AUTH_SECRET: SECRET, LOG_LEVEL: 'warn' }, undefined, 1],
  ['every operator on request values', { OKTA_HOOK_AUTH_SECRET: SECRET, LOG_LEVEL: 'warn', ON_RULE_ERROR: 'deny' }, { 'busy.yaml': BUSY_RULES }, 1 / 3],
] as const) {
  describe(`sustained load with hostile traffic: ${label}`, function () {
    this.timeout((SECONDS * share + 120) * 1000);
    let hostile: HostileServer;
    before(async () => {
      hostile = await startHostileServer(env, files);
    });
    after(async () => {
      await hostile.checkAfterwards();
      await hostile.stop();
    });

    it(`answers every request right for ${Math.round(SECONDS * share)} s at concurrency ${CONCURRENCY}`, async () => {
      const plan = trafficMix();
      const rssBefore = process.memoryUsage().rss;
      const report = await runLoad({
        url: hostile.url,
        durationMs: SECONDS * share * 1000,
        concurrency: CONCURRENCY,
        next: (i) => plan[i % plan.length]!.request,
        check: (answer, _request, i) => {
          const want = plan[i % plan.length]!.status;
          const problems = answerProblems(answer);
          if (answer.status !== want) problems.push(`status ${answer.status}, expected ${want}`);
          return problems;
        },
      });
      recordLoad(label, report);
      recordNote(`memory (rss) around the load on ${label}`, `${Math.round(rssBefore / 2 ** 20)} MB → ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
      expect(report.failures).to.deep.equal([]);
      expect(report.answered).to.be.greaterThan(0);
    });
  });
}

describe('figures printed for information (no assertion on time)', function () {
  this.timeout(120_000);

  it('regex DoS: time to answer a 50,000-character email against ^(a+)+$', async () => {
    const hostile = await startHostileServer({ LOG_LEVEL: 'warn' }, { 'busy.yaml': BUSY_RULES });
    try {
      const body = JSON.stringify({ data: { userProfile: { email: 'a'.repeat(50_000) + '!' } } });
      const t0 = performance.now();
      const answer = await hostile.expectAnswer(body, 200);
      recordNote('regex DoS: 50,000-character email against ^(a+)+$', `answered ${answer.status} in ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await hostile.stop();
    }
  });

  it('auth: median latency of a secret wrong in its first vs its last character', async () => {
    const hostile = await startHostileServer({ OKTA_HOOK_AUTH_SECRET: SECRET, LOG_LEVEL: 'warn' });
    try {
      const body = JSON.stringify(fixture('guide-ssr-request-2022.json'));
      const attempt = (value: string) => send(hostile.url, { headers: { 'content-type': 'application/json', authorization: value }, body });
      const first = 'X' + SECRET.slice(1);
      const last = SECRET.slice(0, -1) + 'X';
      await median(200, () => attempt(first)); // warm up
      const [a, b] = [await median(1500, () => attempt(first)), await median(1500, () => attempt(last))];
      recordNote('auth: median ms, wrong first vs wrong last character (loopback noise dominates)', `${a.toFixed(3)} vs ${b.toFixed(3)}`);
    } finally {
      await hostile.stop();
    }
  });
});
