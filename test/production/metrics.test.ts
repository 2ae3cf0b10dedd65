import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { Metrics } from '../../src/observability/metrics.js';
import { ROOT } from './childProcess.js';
import { fixture, startApp } from './appServer.js';
import { samples } from '../helpers/metricSamples.js';

function withEmail(email: string) {
  const body = fixture('guide-ssr-request-2022.json') as { data: { userProfile: Record<string, string> } };
  body.data.userProfile.email = email;
  body.data.userProfile.login = email;
  return body;
}

describe('GET /metrics', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let metrics: Metrics;

  before(async () => {
    metrics = new Metrics();
    app = await startApp({ metrics, config: { authSecrets: ['hook-secret'] } });
    metrics.watch(app.store);
  });
  after(() => app.close());

  const scrape = async () => {
    const response = await fetch(`${app.url}/metrics`); // no hook credentials needed
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    return samples(await response.text());
  };

  it('counts requests, decisions by outcome and rule, and times decisions', async () => {
    const auth = { authorization: 'hook-secret' };
    expect((await app.hook(auth, withEmail('ann@example.com'))).status).to.equal(200);
    expect((await app.hook(auth, withEmail('bob@example.org'))).status).to.equal(200);
    expect((await app.hook(auth, withEmail('eve@example.net'))).status).to.equal(200);
    expect((await app.hook(auth, fixture('guide-pp-request-2022.json'))).status).to.equal(200);
    expect((await app.hook({ authorization: 'wrong' })).status).to.equal(401);
    expect((await fetch(`${app.url}/no/such/${Math.random()}`)).status).to.equal(404);

    const m = await scrape();
    expect(m.get('okta_hook_decisions_total{request_type="self.service.registration",outcome="allow",decided_by="default",rule_id=""}')).to.equal(1);
    expect(m.get('okta_hook_decisions_total{request_type="self.service.registration",outcome="deny",decided_by="rule",rule_id="deny-non-example-domain"}')).to.equal(2);
    expect(m.get('okta_hook_rule_matches_total{rule_id="deny-non-example-domain"}')).to.equal(2);
    const pp = [...m.entries()].filter(([key]) => key.startsWith('okta_hook_decisions_total{request_type="progressive.profile"'));
    expect(pp.reduce((sum, [, value]) => sum + value, 0)).to.equal(1);
    expect(m.get('okta_hook_decision_duration_seconds_count{request_type="self.service.registration"}')).to.equal(3);
    expect(m.get('okta_hook_decision_duration_seconds_bucket{le="+Inf",request_type="self.service.registration"}')).to.equal(3);
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="POST",status="200"}')).to.equal(4);
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="POST",status="401"}')).to.equal(1);
    // An unknown path is one label value however many there are.
    expect(m.get('okta_hook_http_requests_total{route="unmatched",method="GET",status="404"}')).to.equal(1);
    expect([...m.keys()].some((key) => key.startsWith('process_cpu_user_seconds_total'))).to.equal(true);
  });

  it('follows reloads: result counts, the live version and the time of the last good load', async () => {
    const first = app.store.current();
    let m = await scrape();
    expect(m.get(`okta_hook_ruleset_info{version="${first.version}"}`)).to.equal(1);
    expect(m.get('okta_hook_ruleset_last_good_load_timestamp_seconds')).to.equal(first.loadedAt.getTime() / 1000);

    const dir = mkdtempSync(path.join(tmpdir(), 'hook-metrics-'));
    cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
    appendFileSync(path.join(dir, 'registration.yaml'), '\n# edited\n');
    const next = await loadHookRuleset(dir);
    if (!next.ok) throw new Error('copy does not load');
    app.store.swap(next.ruleset);
    app.store.reject([{ file: 'x.yaml', line: 1, column: 1, message: 'broken' }, { file: 'x.yaml', line: 2, column: 1, message: 'broken' }]);

    m = await scrape();
    expect(next.ruleset.version).not.to.equal(first.version);
    expect(m.get(`okta_hook_ruleset_info{version="${next.ruleset.version}"}`)).to.equal(1);
    expect(m.has(`okta_hook_ruleset_info{version="${first.version}"}`)).to.equal(false);
    expect(m.get('okta_hook_ruleset_reloads_total{result="success"}')).to.equal(1);
    expect(m.get('okta_hook_ruleset_reloads_total{result="failure"}')).to.equal(1);
    expect(m.get('okta_hook_ruleset_load_errors')).to.equal(2);
    expect(m.get('okta_hook_ruleset_last_good_load_timestamp_seconds')).to.equal(next.ruleset.loadedAt.getTime() / 1000);
  });
});
