import { expect } from 'chai';
import type { TokenHookRequest } from '../../src/hooks/token/types.js';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { ssrRequest } from '../helpers/fixtures.js';
import { samples } from '../helpers/metricSamples.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempRules } from '../helpers/tempRules.js';
import { clientCredentialsRequest, refRequest } from '../hooks/token/support.js';

// One rule for each way a change is sent or dropped: add, replace, lifetime and remove; a null
// value, a claim the token lacks, a claim an earlier rule took, a token not minted (client
// credentials), a value that is not JSON (for one client); and a deny (for another).
const RULES = `
lists:
  retiredClients: [0oaRetiredApp0000001]
  brokenClients: [0oaBrokenApp00000001]
defaults:
  token: allow
rules:
  - id: no-tokens-for-retired-apps
    description: Retired applications get no token.
    appliesTo: [token]
    when: { in_list: [{ var: client.id }, retiredClients] }
    then:
      deny: { message: This application has been retired. }
  - id: profile-claims
    description: A tier, the first name, a nickname when known, 15 minutes; the ID token loses two claims.
    appliesTo: [token]
    when: true
    then:
      access:
        claims:
          tier: gold-7f3a
          firstName: { var: user.profile.firstName }
          nickname: { var: user.profile.nickName }
        lifetime: 15m
      identity:
        remove: [preferred_username, middle_name]
  - id: second-tier
    description: Loses the tier to the rule before it.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { tier: silver-9c1d } }
  - id: broken-for-some
    description: Infinity is not JSON.
    appliesTo: [token]
    when: { in_list: [{ var: client.id }, brokenClients] }
    then:
      access: { claims: { ratio: { "/": [1, 0] } } }
`;

const LABELS: Record<string, Record<string, readonly string[]>> = {
  okta_hook_token_operations_sent_total: { token: ['access', 'identity'], op: ['add', 'replace', 'remove', 'lifetime'] },
  okta_hook_token_changes_dropped_total: {
    token: ['access', 'identity'],
    change: ['set', 'remove', 'lifetime'],
    reason: ['token-not-minted', 'null-value', 'claim-absent', 'taken-by-earlier-rule', 'rule-error'],
  },
  okta_hook_token_refusals_total: { cause: ['rule', 'default', 'rule-error', 'fact-error', 'counter-error'] },
};

function withClient(request: TokenHookRequest, id: string): TokenHookRequest {
  request.data.context.protocol!.client!.id = id;
  return request;
}

/** The token metrics' samples that a request changed, and by how much. */
async function tokenDelta(server: TestServer, send: () => Promise<unknown>): Promise<Record<string, number>> {
  const scrape = async () => samples(await (await fetch(`${server.url}/metrics`)).text());
  const before = await scrape();
  await send();
  const after = await scrape();
  const delta: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith('okta_hook_token_')) continue;
    const change = value - (before.get(key) ?? 0);
    if (change !== 0) delta[key] = change;
  }
  return delta;
}

describe('token metrics on /metrics (real server on loopback)', function () {
  this.timeout(30_000);
  let rules: Awaited<ReturnType<typeof tempRules>>;
  let server: TestServer;
  before(async () => {
    rules = await tempRules({ 'token.yaml': RULES });
    server = await startTestServer({ RULES_DIR: rules.dir });
  });
  after(async () => {
    await server?.close();
    await rules?.cleanup();
  });

  it('counts each operation sent by token and op, and each change dropped by token, change and reason', async () => {
    const delta = await tokenDelta(server, async () => expect((await server.post('/tokenHook', refRequest())).status).to.equal(200));
    expect(delta).to.deep.equal({
      'okta_hook_token_operations_sent_total{token="identity",op="remove"}': 1,
      'okta_hook_token_operations_sent_total{token="access",op="add"}': 1,
      'okta_hook_token_operations_sent_total{token="access",op="replace"}': 1,
      'okta_hook_token_operations_sent_total{token="access",op="lifetime"}': 1,
      'okta_hook_token_changes_dropped_total{token="identity",change="remove",reason="claim-absent"}': 1,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="null-value"}': 1,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="taken-by-earlier-rule"}': 1,
    });
  });

  it('a client-credentials request: the identity changes dropped as token-not-minted', async () => {
    const delta = await tokenDelta(server, () => server.post('/tokenHook', clientCredentialsRequest()));
    expect(delta).to.deep.equal({
      'okta_hook_token_operations_sent_total{token="access",op="add"}': 1,
      'okta_hook_token_operations_sent_total{token="access",op="lifetime"}': 1,
      'okta_hook_token_changes_dropped_total{token="identity",change="remove",reason="token-not-minted"}': 2,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="null-value"}': 2,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="taken-by-earlier-rule"}': 1,
    });
  });

  it('counts refusals by cause: a deny rule, and a rule error under ON_RULE_ERROR=deny (its change counted as dropped)', async () => {
    const denied = await tokenDelta(server, async () => {
      const { body } = await server.post('/tokenHook', withClient(refRequest(), '0oaRetiredApp0000001'));
      expect(body.error.errorSummary).to.equal('This application has been retired.');
    });
    expect(denied).to.deep.equal({ 'okta_hook_token_refusals_total{cause="rule"}': 1 });

    const failed = await tokenDelta(server, async () => {
      const { body } = await server.post('/tokenHook', withClient(refRequest(), '0oaBrokenApp00000001'));
      expect(body.error.errorSummary).to.equal('The token could not be issued at this time.');
    });
    expect(failed).to.deep.equal({
      'okta_hook_token_refusals_total{cause="rule-error"}': 1,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="rule-error"}': 1,
      'okta_hook_token_changes_dropped_total{token="identity",change="remove",reason="claim-absent"}': 1,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="null-value"}': 1,
      'okta_hook_token_changes_dropped_total{token="access",change="set",reason="taken-by-earlier-rule"}': 1,
    });
  });

  it('counts the other refusal causes: the default (token: deny), and a counter whose store is down (onError: deny)', async () => {
    const strict = await tempRules({
      'token.yaml': `
counters:
  tokensPerClient: { key: { var: client.id }, window: 1m, appliesTo: [token], onError: deny }
lists:
  meteredClients: [0oaMeteredApp0000001]
defaults:
  token: deny
rules:
  - id: metered-clients
    description: A metered client gets 100 tokens a minute, and its tokens are allowed while under it.
    appliesTo: [token]
    when: { and: [{ in_list: [{ var: client.id }, meteredClients] }, { "<=": [{ var: counters.tokensPerClient }, 100] }] }
    then: { allow: true }
`,
    });
    try {
      // Counted in memory: the client is not metered, no rule allows, the default refuses.
      const counting = await startTestServer({ RULES_DIR: strict.dir });
      try {
        const byDefault = await tokenDelta(counting, async () => {
          const { body } = await counting.post('/tokenHook', refRequest());
          expect(body.debugContext).to.include({ decision: 'DENY', decidedBy: 'default' });
        });
        expect(byDefault).to.deep.equal({ 'okta_hook_token_refusals_total{cause="default"}': 1 });
      } finally {
        await counting.close();
      }
      // Nothing listens on port 1: every counter operation fails as unavailable, and the rule reading it denies.
      const down = await startTestServer({ RULES_DIR: strict.dir, STATE_URL: 'redis://127.0.0.1:1', STATE_KEY_SALT: 'test-salt-0123456789abcdef' });
      try {
        const byCounter = await tokenDelta(down, async () => {
          const { body } = await down.post('/tokenHook', withClient(refRequest(), '0oaMeteredApp0000001'));
          expect(body.debugContext).to.include({ decision: 'DENY', decidedBy: 'error:metered-clients' });
          expect(body.debugContext.failedCounters).to.match(/^tokensPerClient:/);
        });
        expect(byCounter).to.deep.equal({ 'okta_hook_token_refusals_total{cause="counter-error"}': 1 });
      } finally {
        await down.close();
      }
    } finally {
      await strict.cleanup();
    }
  });

  it('labels only from fixed sets: no claim name or value, no user or client id', async () => {
    await server.post('/tokenHook', refRequest());
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const lines = text.split('\n').filter((line) => line.startsWith('okta_hook_token_'));
    expect(lines.length).to.be.at.least(10);
    for (const line of lines) {
      const [, name, labels] = /^(\w+)\{(.*)\} \d+$/.exec(line)!;
      const allowed = LABELS[name!]!;
      for (const [, key, value] of labels!.matchAll(/(\w+)="([^"]*)"/g)) expect(allowed[key!], line).to.include(value);
    }
    for (const secret of ['gold-7f3a', 'silver-9c1d', 'Add-Min', '00uq8tMo3zV0OfJON0g3', 'customClientIdNative', 'middle_name', 'nickname']) expect(text).not.to.contain(secret);
  });
});

describe('a fact cut short by the hook\'s own time limit: logged and counted by hook type (real server, a loopback API that never answers)', function () {
  this.timeout(30_000);
  let rules: Awaited<ReturnType<typeof tempRules>>;
  let api: ApiServer;
  let server: TestServer;
  before(async () => {
    api = await startApiServer();
    // No timeout of its own: the fact takes FACTS_DEADLINE_MS's, and one of the two ends it.
    rules = await tempRules({
      'slow.yaml': `
facts:
  standing:
    http: ${api.url}/hang
    onError: deny
rules:
  - id: standing-claim
    description: The standing goes into the access token.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { standing: { var: facts.standing.level } } }
  - id: standing-registration
    description: Registrations read it too.
    appliesTo: [self.service.registration]
    when: { var: facts.standing.blocked }
    then: { deny: { message: no } }
`,
    });
    server = await startTestServer({ RULES_DIR: rules.dir, FACTS_DEADLINE_MS: '300' });
  });
  after(async () => {
    await server?.close();
    await api?.close();
    await rules?.cleanup();
  });

  const scrape = async () => samples(await (await fetch(`${server.url}/metrics`)).text());

  it('a token request: answered in time, refused as fact-error, counted under hook_type="token", logged with the hook type', async () => {
    const { body } = await server.post('/tokenHook', refRequest());
    expect(body.error.errorSummary).to.equal('The token could not be issued at this time.');
    expect(body.debugContext.failedFacts).to.match(/^standing:(timeout|deadline)$/);
    const m = await scrape();
    expect(m.get('okta_hook_facts_timed_out_total{hook_type="token"}')).to.equal(1);
    expect(m.has('okta_hook_facts_timed_out_total{hook_type="registration"}')).to.equal(false);
    expect(m.get('okta_hook_token_refusals_total{cause="fact-error"}')).to.equal(1);
    const line = server.logs.lines.find((l) => l.msg === 'fact lookup failed' && l.decisionId === body.debugContext.decisionId);
    expect(line).to.include({ level: 40, hookType: 'token', fact: 'standing', onError: 'deny' });
    expect(line!.kind).to.be.oneOf(['timeout', 'deadline']);
  });

  it('a registration request is counted under its own hook type', async () => {
    const before = (await scrape()).get('okta_hook_facts_timed_out_total{hook_type="token"}');
    const { body } = await server.post('/registrationHook', ssrRequest({ email: 'ann@example.com' }));
    expect(body.debugContext.failedFacts).to.match(/^standing:(timeout|deadline)$/);
    const m = await scrape();
    expect(m.get('okta_hook_facts_timed_out_total{hook_type="registration"}')).to.equal(1);
    expect(m.get('okta_hook_facts_timed_out_total{hook_type="token"}')).to.equal(before);
    expect(server.logs.lines.find((l) => l.msg === 'fact lookup failed' && l.decisionId === body.debugContext.decisionId)).to.include({ hookType: 'registration' });
  });
});
