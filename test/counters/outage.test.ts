import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { eventually } from '../helpers/hookClient.js';
import { perIpRules } from './perIpRules.js';

const rules = (onError: string) =>
  perIpRules({
    limit: 2,
    onError,
    more: `  - id: no-disposable
    description: a rule that reads no counter keeps deciding during an outage
    appliesTo: [self.service.registration]
    when: { "==": [{ var: emailDomain }, mailinator.com] }
    then: { deny: { message: Use a permanent address. } }
`,
  });

let seq = 0;
const registration = (ip: string, email = 'jo@example.com') => ({
  eventId: `outage-${++seq}`,
  requestType: 'self.service.registration',
  data: { context: { request: { ipAddress: ip } }, userProfile: { email } },
});

/** Posts and measures how long the answer took (asserted only against the deadline, with room). */
async function timed(server: TestServer, body: unknown): Promise<{ decision: string; ms: number; body: any }> {
  const start = performance.now();
  const res = await server.post('/registrationHook', body);
  expect(res.status).to.equal(200);
  return { decision: res.body.debugContext.decision, ms: performance.now() - start, body: res.body };
}

describe('counters when Redis fails', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  const cleanup: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await redis.remove();
  });

  async function serve(onError: string): Promise<TestServer> {
    const { dir, remove } = await tempRulesDir({ 'rules.yaml': rules(onError) });
    const server = await startTestServer({ RULES_DIR: dir, STATE_URL: redis.url, STATE_TIMEOUT_MS: '200', RULESET_NAME: `outage${++seq}` });
    cleanup.push(remove, () => server.close());
    return server;
  }

  it('Redis killed mid-run: onError deny denies the requests that reach the counter\'s rule, fast; restarted, counting resumes', async () => {
    const server = await serve('deny');
    expect((await timed(server, registration('203.0.113.1'))).decision).to.equal('ALLOW');
    await redis.stop();
    for (let i = 0; i < 8; i++) {
      const answer = await timed(server, registration('203.0.113.1'));
      expect(answer.decision).to.equal('DENY');
      expect(answer.body.debugContext.failedCounters).to.match(/^signupsPerIp:/);
      expect(answer.body.debugContext.internalReason).to.match(/counter signupsPerIp failed/);
      expect(answer.ms).to.be.below(1_000); // STATE_TIMEOUT_MS is 200; Okta waits 3 s
    }
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; counters: { connection: string; circuit: string } };
    expect(ready.status).to.equal('ready'); // still serving: a Redis outage fails counters, not the service
    expect(ready.counters.connection).to.not.equal('ready');
    expect(ready.counters.circuit).to.equal('open'); // 8 failures in a row opened it
    expect(server.logs.lines.some((l) => l.msg === 'counter unavailable' && l.counter === 'signupsPerIp')).to.equal(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).to.match(/okta_hook_counter_failures_total\{counter="signupsPerIp",reason="(unavailable|error)"\} [1-9]/);
    expect(metrics).to.match(/okta_hook_counter_failures_total\{counter="signupsPerIp",reason="circuit open"\} [1-9]/);
    expect(metrics).to.match(/okta_hook_counter_store_up 0/);
    expect(metrics).to.match(/okta_hook_counter_denials_total\{counter="signupsPerIp"\} 8/);

    await redis.start(); // same port, empty: counts start again from nothing
    await eventually(async () => ((await timed(server, registration('198.51.100.9'))).decision === 'ALLOW' ? true : undefined), 'counting to resume');
    expect((await timed(server, registration('198.51.100.9'))).decision).to.equal('ALLOW');
    expect((await timed(server, registration('198.51.100.9'))).decision).to.equal('DENY'); // counted again: 3 > 2
  });

  it('onError allow: the counter reads 0, so an outage never blocks a sign-up, and other rules still decide', async () => {
    const server = await serve('allow');
    await redis.stop();
    for (let i = 0; i < 5; i++) expect((await timed(server, registration('203.0.113.2'))).decision).to.equal('ALLOW');
    const disposable = await timed(server, registration('203.0.113.2', 'x@mailinator.com'));
    expect(disposable.decision).to.equal('DENY');
    expect(disposable.body.error.errorSummary).to.equal('Use a permanent address.');
  });

  it('onError skip: the rules reading the counter are skipped; a hung Redis (SIGSTOP) is answered within the timeout', async () => {
    const server = await serve('skip');
    expect((await timed(server, registration('203.0.113.3'))).decision).to.equal('ALLOW');
    redis.pause();
    try {
      const answer = await timed(server, registration('203.0.113.3'));
      expect(answer.decision).to.equal('ALLOW');
      expect(answer.body.debugContext.failedCounters).to.equal('signupsPerIp:timeout');
      expect(answer.ms).to.be.below(1_500);
      expect((await timed(server, registration('203.0.113.3', 'x@mailinator.com'))).decision).to.equal('DENY');
    } finally {
      redis.resume();
    }
  });

  it('Redis down at start: the service starts, counters fail by onError, and it counts once Redis is up', async () => {
    await redis.stop();
    const server = await serve('deny');
    expect((await timed(server, registration('192.0.2.1'))).decision).to.equal('DENY');
    await redis.start();
    await eventually(async () => ((await timed(server, registration('192.0.2.77'))).decision === 'ALLOW' ? true : undefined), 'the first connection');
  });
});
