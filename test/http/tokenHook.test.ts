import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { validateTokenAnswer } from '../../src/hooks/token/validateTokenAnswer.js';
import type { TokenHookRequest } from '../../src/hooks/token/types.js';
import { fixture, ssrRequest } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ALL_TOKEN_FIXTURES, MALFORMED_REQUEST, refRequest, TOKEN_REQUESTS, tokenFixture } from '../hooks/token/support.js';
import { NETWORK_AND_RETIRED_RULES } from '../helpers/tokenRules.js';

/** Every token fixture that is a request: a body with a `data` object (answers and claim vectors have none). */
const REQUESTS = ALL_TOKEN_FIXTURES.filter((name) => {
  const body = tokenFixture<Record<string, unknown>>(name);
  return typeof body === 'object' && body !== null && typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data);
});

// The example rules, less the database fact (rule tests give it: test/cli/tokenRuleTests.test.ts).
const RULES = `
lists:
  officeNetworks: { kind: networks, values: [127.0.0.0/8, "2001:db8::/32"] }
  retiredClients: [0oaRetiredApp0000001]
defaults:
  token: allow
rules:
  - id: tier-claim
    description: Every access token says its tier.
    appliesTo: [token]
    when: true
    then:
      access:
        claims:
          "https://example.com/claims/tier": gold
          clientName: { var: client.name }
${NETWORK_AND_RETIRED_RULES}`;

function rulesDir(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'token-rules-'));
  writeFileSync(path.join(dir, 'token.yaml'), text);
  return dir;
}

function withIp(request: TokenHookRequest, ipAddress: string): TokenHookRequest {
  const copy = structuredClone(request);
  copy.data.context.request = { ...copy.data.context.request, ipAddress };
  return copy;
}

type Command = { type: string; value: Array<{ op: string; path: string; value?: unknown }> };
const commandOf = (body: { commands?: Command[] }, type: string) => body.commands?.find((c) => c.type === type);

describe('POST /tokenHook (real server on loopback)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RULES_DIR: rulesDir(RULES) });
  });
  after(() => server.close());

  it('finds every published request among the fixtures', () => {
    expect(REQUESTS).to.include.members([...TOKEN_REQUESTS]);
  });

  for (const name of REQUESTS) {
    it(`answers ${name} with 200 and an answer valid against that request`, async () => {
      const request = tokenFixture<TokenHookRequest>(name);
      const { status, body } = await server.post('/tokenHook', request);
      expect(status).to.equal(200);
      expect(validateTokenAnswer(body, { request })).to.deep.equal([]);
      expect(body.debugContext.hookType).to.equal('token');
      expect(body.debugContext.rulesetVersion).to.equal(server.store.current().version);
    });
  }

  it('sets claims by presence, JSON-Pointer encoded, and keeps the lifetime inside the office network', async () => {
    const { body } = await server.post('/tokenHook', withIp(refRequest(), '127.0.0.1'));
    const access = commandOf(body, 'com.okta.access.patch')!;
    expect(access.value).to.deep.equal([
      { op: 'add', path: '/claims/https:~1~1example.com~1claims~1tier', value: 'gold' },
      { op: 'add', path: '/claims/clientName', value: 'Native client' },
    ]);
    expect(commandOf(body, 'com.okta.identity.patch')).to.equal(undefined);
    expect(body.debugContext.matchedRules).to.equal('tier-claim');
  });

  it('outside the office network: a 15-minute access token and the ID token without preferred_username', async () => {
    const { body } = await server.post('/tokenHook', withIp(refRequest(), '203.0.113.7'));
    expect(commandOf(body, 'com.okta.access.patch')!.value).to.deep.include({ op: 'replace', path: '/token/lifetime/expiration', value: 900 });
    expect(commandOf(body, 'com.okta.identity.patch')!.value).to.deep.equal([{ op: 'remove', path: '/claims/preferred_username' }]);
    expect(body.debugContext.sent).to.contain('identity remove /claims/preferred_username (short-lived-outside-office)');
  });

  it('a client-credentials request gets its access patch, no identity patch, and debugContext says what was dropped and why', async () => {
    const request = tokenFixture<TokenHookRequest>('derived/derived-client-credentials-request.json');
    const { body } = await server.post('/tokenHook', request);
    expect(commandOf(body, 'com.okta.identity.patch')).to.equal(undefined);
    expect(commandOf(body, 'com.okta.access.patch')!.value).to.deep.include({ op: 'replace', path: '/token/lifetime/expiration', value: 900 });
    expect(body.debugContext.dropped).to.match(/identity remove preferred_username \(short-lived-outside-office\): token-not-minted/);
    expect(validateTokenAnswer(body, { request })).to.deep.equal([]);
  });

  it('logs the decision with the hook type and the patches sent and dropped, never a claim value', async () => {
    const request = tokenFixture<TokenHookRequest>('derived/derived-client-credentials-request.json');
    const { body } = await server.post('/tokenHook', request);
    const line = server.logs.lines.find((l) => l.event === 'decision' && l.decisionId === body.debugContext.decisionId) as Record<string, any>;
    expect(line.hookType).to.equal('token');
    expect(line.requestType).to.equal('token');
    expect(line.patches.sent).to.include('access replace /token/lifetime/expiration (short-lived-outside-office)');
    expect(line.patches.dropped).to.include('identity remove preferred_username (short-lived-outside-office): token-not-minted');
    expect(JSON.stringify(server.logs.lines)).not.to.contain('Inventory sync job');
  });

  it('refuses the token for a retired client: error.errorSummary, no commands', async () => {
    const request = refRequest();
    request.data.context.protocol!.client!.id = '0oaRetiredApp0000001';
    const { status, body } = await server.post('/tokenHook', request);
    expect(status).to.equal(200);
    expect(body.error).to.deep.equal({ errorSummary: 'This application has been retired.' });
    expect(body.commands).to.equal(undefined);
    expect(body.debugContext.decidedBy).to.equal('rule:no-tokens-for-retired-apps');
  });

  it('never puts a claim value in debugContext', async () => {
    const { body } = await server.post('/tokenHook', withIp(refRequest(), '203.0.113.7'));
    expect(JSON.stringify(body.debugContext)).not.to.contain('gold').and.not.to.contain('Native client');
  });

  it('a token payload sent to /registrationHook is a 400 naming /tokenHook', async () => {
    const { status, body } = await server.post('/registrationHook', refRequest());
    expect(status).to.equal(400);
    expect(body.error.code).to.equal('wrong_hook_route');
    expect(body.error.message).to.contain('send it to /tokenHook');
  });

  it('a registration payload sent to /tokenHook is a 400 naming /registrationHook', async () => {
    for (const request of [ssrRequest({ email: 'a@example.com' }), fixture('openapi-ProgressiveProfileRequest-2026.06.3.json')]) {
      const { status, body } = await server.post('/tokenHook', request);
      expect(status).to.equal(400);
      expect(body.error.message).to.contain('send it to /registrationHook');
    }
  });

  it('Okta\'s malformed published request (data: null) is a 400, not an answer', async () => {
    const { status, body } = await server.post('/tokenHook', tokenFixture(MALFORMED_REQUEST));
    expect(status).to.equal(400);
    expect(body.error.code).to.equal('invalid_hook_request');
  });

  it('a body that is neither is a 400 listing what the token request lacks', async () => {
    const { status, body } = await server.post('/tokenHook', { data: { context: {} } });
    expect(status).to.equal(400);
    expect(body.error.code).to.equal('invalid_hook_request');
  });
});

describe('POST /tokenHook: rule errors follow ON_RULE_ERROR', () => {
  // 1/0 is Infinity: not JSON, so a value Okta could never receive.
  const rules = `
rules:
  - id: broken-claim
    description: A value that is not JSON.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { ratio: { "/": [1, 0] } } }
  - id: good-claim
    description: A plain claim.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { team: blue } }
`;
  it('deny (the default) refuses the token with the generic message', async () => {
    const server = await startTestServer({ RULES_DIR: rulesDir(rules) });
    try {
      const { status, body } = await server.post('/tokenHook', refRequest());
      expect(status).to.equal(200);
      expect(body.error.errorSummary).to.equal('The token could not be issued at this time.');
      expect(body.commands).to.equal(undefined);
      expect(body.debugContext.decidedBy).to.equal('error:broken-claim');
    } finally {
      await server.close();
    }
  });

  it('skip sends the other rules\' changes and names the error in debugContext', async () => {
    const server = await startTestServer({ RULES_DIR: rulesDir(rules), ON_RULE_ERROR: 'skip' });
    try {
      const request = refRequest();
      const { body } = await server.post('/tokenHook', request);
      expect(commandOf(body, 'com.okta.access.patch')!.value).to.deep.equal([{ op: 'add', path: '/claims/team', value: 'blue' }]);
      expect(body.debugContext.ruleErrors).to.contain('rule broken-claim');
      expect(validateTokenAnswer(body, { request })).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});

describe('the token hook route: path and credentials', () => {
  it('TOKEN_HOOK_PATH moves the route, and the 400 for a token body names it', async () => {
    const server = await startTestServer({ RULES_DIR: rulesDir(RULES), TOKEN_HOOK_PATH: '/hooks/okta-token' });
    try {
      expect((await server.post('/hooks/okta-token', refRequest())).status).to.equal(200);
      expect((await server.post('/tokenHook', refRequest())).status).to.equal(404);
      expect((await server.post('/registrationHook', refRequest())).body.error.message).to.contain('send it to /hooks/okta-token');
    } finally {
      await server.close();
    }
  });

  it('takes the registration hook\'s secret by default, and OKTA_TOKEN_HOOK_AUTH_SECRET alone when set', async () => {
    const shared = await startTestServer({ RULES_DIR: rulesDir(RULES), OKTA_HOOK_AUTH_SECRET: 'Basic shared' });
    try {
      expect((await shared.post('/tokenHook', refRequest())).status).to.equal(401);
      expect((await shared.post('/tokenHook', refRequest(), { authorization: 'Basic shared' })).status).to.equal(200);
    } finally {
      await shared.close();
    }
    const own = await startTestServer({ RULES_DIR: rulesDir(RULES), OKTA_HOOK_AUTH_SECRET: 'Basic shared', OKTA_TOKEN_HOOK_AUTH_SECRET: 'Basic token-only' });
    try {
      expect((await own.post('/tokenHook', refRequest(), { authorization: 'Basic shared' })).status).to.equal(401);
      expect((await own.post('/tokenHook', refRequest(), { authorization: 'Basic token-only' })).status).to.equal(200);
      expect((await own.post('/registrationHook', ssrRequest({ email: 'a@example.com' }), { authorization: 'Basic shared' })).status).to.equal(200);
    } finally {
      await own.close();
    }
  });
});
