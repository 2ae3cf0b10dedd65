import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { rulesetOf, tempRulesDir } from '../helpers/tempRules.js';
import { startApp } from '../production/appServer.js';
import { perIpRules } from './perIpRules.js';

const PER_IP = perIpRules({ onError: 'deny', message: 'Too many sign-ups from your network. Try again later.' });

const ALLOWED_PER_DOMAIN = `
counters:
  allowedPerDomain:
    key: { var: emailDomain }
    window: 1h
    count: allowed
rules:
  - id: domain-limit
    description: At most 10 new accounts per email domain an hour
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.allowedPerDomain }, 10] }
    then: { deny: { message: Too many new accounts for this domain. } }
`;

let seq = 0;
function registration(ip: string | null, email = 'jo@example.com', eventId: string | null = `evt-${++seq}`) {
  return {
    ...(eventId ? { eventId } : {}),
    eventType: 'com.okta.user.pre-registration',
    requestType: 'self.service.registration',
    data: { context: ip ? { request: { ipAddress: ip } } : {}, userProfile: { email } },
  };
}

const decisionOf = (res: { body: any }) => res.body.debugContext.decision as string;

for (const kind of ['memory', 'redis'] as const) {
  describe(`counters through the hook: ${kind}`, function () {
    let redis: TestRedis | undefined;
    const servers: TestServer[] = [];
    const dirs: Array<() => Promise<void>> = [];

    before(async () => {
      if (kind === 'redis') redis = await startRedis();
    });
    after(async () => {
      await redis?.remove();
    });
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await Promise.all(dirs.splice(0).map((remove) => remove()));
    });

    async function serve(rules: string, env: Record<string, string> = {}): Promise<TestServer> {
      const { dir, remove } = await tempRulesDir({ 'rules.yaml': rules });
      dirs.push(remove);
      const server = await startTestServer({ RULES_DIR: dir, ...(redis ? { STATE_URL: redis.url, RULESET_NAME: `t${++seq}` } : {}), ...env });
      servers.push(server);
      return server;
    }

    it('the 6th sign-up from one IP address is denied, other addresses are not, a request without an IP is not counted', async () => {
      const server = await serve(PER_IP);
      for (let i = 1; i <= 5; i++) expect(decisionOf(await server.post('/registrationHook', registration('203.0.113.7'))), `attempt ${i}`).to.equal('ALLOW');
      const sixth = await server.post('/registrationHook', registration('203.0.113.7'));
      expect(decisionOf(sixth)).to.equal('DENY');
      expect(sixth.body.error.errorSummary).to.equal('Too many sign-ups from your network. Try again later.');
      expect(decisionOf(await server.post('/registrationHook', registration('203.0.113.8')))).to.equal('ALLOW');
      for (let i = 0; i < 7; i++) expect(decisionOf(await server.post('/registrationHook', registration(null)))).to.equal('ALLOW');
    });

    it('an Okta retry (same eventId) is not counted twice; requests without an eventId each count', async () => {
      const server = await serve(PER_IP);
      for (let i = 0; i < 4; i++) await server.post('/registrationHook', registration('198.51.100.1'));
      const fifth = registration('198.51.100.1');
      expect(decisionOf(await server.post('/registrationHook', fifth))).to.equal('ALLOW');
      expect(decisionOf(await server.post('/registrationHook', fifth))).to.equal('ALLOW'); // the retry: still 5
      expect(decisionOf(await server.post('/registrationHook', registration('198.51.100.1', 'jo@example.com', null)))).to.equal('DENY'); // 6
      expect(decisionOf(await server.post('/registrationHook', registration('198.51.100.2', 'jo@example.com', null)))).to.equal('ALLOW');
    });

    it('count allowed: 50 concurrent sign-ups at a limit of 10 are allowed exactly 10 times, and the next is denied', async () => {
      const server = await serve(ALLOWED_PER_DOMAIN);
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => server.post('/registrationHook', registration(`192.0.2.${i}`, `u${i}@burst.example`))));
      expect(answers.map((a) => a.status)).to.satisfy((s: number[]) => s.every((x) => x === 200));
      expect(answers.filter((a) => decisionOf(a) === 'ALLOW')).to.have.length(10);
      expect(decisionOf(await server.post('/registrationHook', registration('192.0.2.99', 'late@burst.example')))).to.equal('DENY');
      // Denied requests released their places: another domain is untouched, and a deny by another rule does not count.
      expect(decisionOf(await server.post('/registrationHook', registration('192.0.2.100', 'a@other.example')))).to.equal('ALLOW');
    });

    it('/readyz reports the counter store, and /metrics counts operations and denials by counter', async () => {
      const server = await serve(PER_IP, { PREVIEW: '0' });
      for (let i = 0; i < 6; i++) await server.post('/registrationHook', registration('203.0.113.50'));
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { counters: Record<string, string> };
      expect(ready.counters).to.deep.include({ store: kind, connection: 'ready', circuit: 'closed' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.match(/okta_hook_counter_operations_total\{counter="signupsPerIp",operation="hit"\} 6/);
      expect(metrics).to.match(/okta_hook_counter_denials_total\{counter="signupsPerIp"\} 1/);
    });
  });
}

describe('counters in an app built without fact sources (createApp alone)', () => {
  it('counts in memory: the 6th request from one address is denied', async () => {
    const app = await startApp();
    try {
      app.store.swap(await rulesetOf({ 'rules.yaml': PER_IP }));
      const answers: string[] = [];
      for (let i = 0; i < 6; i++) answers.push(((await (await app.hook({}, registration('203.0.113.99'))).json()) as any).debugContext.decision);
      expect(answers).to.deep.equal(['ALLOW', 'ALLOW', 'ALLOW', 'ALLOW', 'ALLOW', 'DENY']);
    } finally {
      await app.close();
    }
  });
});
