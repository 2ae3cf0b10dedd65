import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { startTestServer } from '../helpers/server.js';
import { perIpRules } from './perIpRules.js';

const RULES = perIpRules({ onError: 'deny' });

const SUITE = `
tests:
  - name: a first sign-up from an address is allowed
    request: { profile: { email: a@example.com }, ipAddress: 203.0.113.1 }
    expect: { decision: allow }
  - name: the 6th sign-up from one address is denied
    request: { profile: { email: a@example.com }, ipAddress: 203.0.113.1 }
    counters: { signupsPerIp: 6 }
    expect: { decision: deny, decidedBy: too-many-from-one-ip }
  - name: the store failing denies (onError deny)
    request: { profile: { email: a@example.com }, ipAddress: 203.0.113.1 }
    counters: { signupsPerIp: { error: timeout } }
    expect: { decision: deny, decidedBy: "error:too-many-from-one-ip" }
`;

const REQUEST = JSON.stringify({ requestType: 'self.service.registration', profile: { email: 'a@example.com' }, ipAddress: '203.0.113.9' });

describe('hook-rules with counters', function () {
  this.timeout(30_000);
  let rules: { dir: string; remove(): Promise<void> };
  let redis: TestRedis;

  before(async () => {
    rules = await tempRulesDir({ 'rules.yaml': RULES, 'rules.test.yaml': SUITE });
    redis = await startRedis();
  });
  after(async () => {
    await rules.remove();
    await redis.remove();
  });

  it('test: cases set counter values (or failures) per case', async () => {
    const result = await runCli(['test', rules.dir]);
    expect(result.stdout).to.include('3 passed');
    expect(result.code).to.equal(0);
  });

  it('test: a case naming a counter the rules do not define fails, and a failing case shows the counters it read', async () => {
    const bad = await tempRulesDir({
      'rules.yaml': RULES,
      'rules.test.yaml': `tests:
  - name: typo
    request: { profile: { email: a@example.com }, ipAddress: 203.0.113.1 }
    counters: { signupsPerIP: 6 }
    expect: { decision: deny }
  - name: wrong expectation
    request: { profile: { email: a@example.com }, ipAddress: 203.0.113.1 }
    counters: { signupsPerIp: 6 }
    expect: { decision: allow }
`,
    });
    try {
      const result = await runCli(['test', bad.dir]);
      expect(result.code).to.equal(4);
      expect(result.stdout).to.include('counters: no counter named "signupsPerIP" in the ruleset');
      expect(result.stdout).to.include('counter signupsPerIp = 6  key 203.0.113.x (attempts, not counted here; the hook counts this request, given)');
    } finally {
      await bad.remove();
    }
  });

  it('eval: shows each counter\'s key, masked, and value; --counters sets values', async () => {
    const fresh = await runCli(['eval', '-', '--dir', rules.dir], { input: REQUEST });
    expect(fresh.code).to.equal(0);
    expect(fresh.stdout).to.include('signupsPerIp = 1  key 203.0.113.x (attempts, not counted here; the hook counts this request)');
    expect(fresh.stdout).to.include('Decision: ALLOW');
    const given = await runCli(['eval', '-', '--dir', rules.dir, '--counters', '{"signupsPerIp": 7}'], { input: REQUEST });
    expect(given.stdout).to.include('Decision: DENY, decided by rule too-many-from-one-ip');
    expect(given.stdout).to.not.include('203.0.113.9'); // the raw key is never printed
    const typo = await runCli(['eval', '-', '--dir', rules.dir, '--counters', '{"nope": 1}'], { input: REQUEST });
    expect(typo.code).to.equal(2);
  });

  it('eval reads the live counts from STATE_URL without counting; counters reset clears one key', async () => {
    const env = { STATE_URL: redis.url, STATE_KEY_SALT: 'cli-test-salt-0123456789', RULESET_NAME: 'cli' };
    const server = await startTestServer({ RULES_DIR: rules.dir, ...env });
    try {
      const body = { eventId: '', requestType: 'self.service.registration', data: { context: { request: { ipAddress: '203.0.113.9' } }, userProfile: { email: 'a@example.com' } } };
      for (let i = 0; i < 6; i++) await server.post('/registrationHook', body);
      const live = await runCli(['eval', '-', '--dir', rules.dir], { input: REQUEST, env });
      expect(live.stdout).to.include('signupsPerIp = 7'); // 6 counted, and this request
      const again = await runCli(['eval', '-', '--dir', rules.dir], { input: REQUEST, env });
      expect(again.stdout).to.include('signupsPerIp = 7'); // eval counted nothing

      const reset = await runCli(['counters', 'reset', 'signupsPerIp', '203.0.113.9', '--dir', rules.dir], { env });
      expect(reset.stdout.trim()).to.equal('reset signupsPerIp for 203.0.113.x: 6 entries removed');
      expect(reset.code).to.equal(0);
      const answer = await server.post('/registrationHook', body);
      expect(answer.body.debugContext.decision).to.equal('ALLOW');
    } finally {
      await server.close();
    }
  });

  it('counters reset: usage errors for a missing STATE_URL or an unknown counter', async () => {
    const noUrl = await runCli(['counters', 'reset', 'signupsPerIp', '203.0.113.9', '--dir', rules.dir]);
    expect(noUrl.code).to.equal(2);
    expect(noUrl.stderr).to.include('STATE_URL is not set');
    const unknown = await runCli(['counters', 'reset', 'nope', 'x', '--dir', rules.dir], { env: { STATE_URL: redis.url } });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('no counter named "nope" (known: signupsPerIp)');
  });
});

describe('preview API with counters', function () {
  it('shows each counter the request reads, key masked, and counts nothing', async () => {
    const rules = await tempRulesDir({ 'rules.yaml': RULES });
    const server = await startTestServer({ RULES_DIR: rules.dir, PREVIEW: '1' });
    try {
      const body = { eventId: 'preview-1', requestType: 'self.service.registration', data: { context: { request: { ipAddress: '203.0.113.44' } }, userProfile: { email: 'a@example.com' } } };
      const evaluate = async () => {
        const response = await fetch(`${server.url}/preview/api/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, eventId: `preview-${Math.random()}` }) });
        return (await response.json()) as { counters: Array<Record<string, unknown>>; decision: { outcome: string } };
      };
      for (let i = 0; i < 7; i++) {
        const result = await evaluate();
        expect(result.counters).to.deep.equal([{ name: 'signupsPerIp', count: 'attempts', use: 'peeked', key: '203.0.113.x', value: 1 }]);
      }
      await server.post('/registrationHook', body); // a real request counts
      expect((await evaluate()).counters[0]!.value).to.equal(2);
    } finally {
      await server.close();
      await rules.remove();
    }
  });
});
