import { expect } from 'chai';
import type { TokenHookRequest } from '../../src/hooks/token/types.js';
import { validateTokenAnswer } from '../../src/hooks/token/validateTokenAnswer.js';
import { validateTokenRequest } from '../../src/hooks/token/validateTokenRequest.js';
import { tokenFixture } from '../hooks/token/support.js';
import { MEMBERS_SEED } from '../facts/support.js';
import { startPreviewServer, TOKEN_RULES, type PreviewServer } from './helpers.js';

interface Sample {
  id: string;
  label: string;
  requestType: string;
  source?: string;
  request: TokenHookRequest;
}

type Claims = Record<string, unknown>;
interface TokenView {
  before: { claims: Claims; lifetime?: number };
  after: { claims: Claims; lifetime?: number } | null;
  changes: Array<{ claim?: string; change: string; ruleId: string; path: string }>;
  oktaWouldDrop?: string;
}
interface TokenEvaluation {
  request: TokenHookRequest;
  response: { commands?: Array<{ type: string; value: unknown[] }>; error?: { errorSummary: string }; debugContext: Record<string, unknown> };
  decision: { outcome: string; requestType: string; decidedBy: { kind: string; ruleId?: string }; deny?: { message: string }; outcomes?: unknown };
  trace: Array<{ id: string; status: string; effect: string }>;
  counters?: Array<Record<string, unknown>>;
  facts?: Array<{ name: string; value?: unknown }>;
  tokens: {
    issued: boolean;
    refusal?: { message: string };
    identity: TokenView | null;
    access: TokenView | null;
    sent: Array<{ token: string; ruleId: string; change: string; op: string; claim?: string; path: string }>;
    dropped: Array<{ token: string; ruleId: string; change: string; claim?: string; reason: string; message: string }>;
    ruleErrors: Array<{ token?: string; ruleId?: string; claim?: string; message: string }>;
  };
  error?: { code: string; details?: string[] };
}

const TIER = 'https://example.com/claims/tier';
const TIER_PATH = '/claims/https:~1~1example.com~1claims~1tier';
const LIFETIME_PATH = '/token/lifetime/expiration';

async function evaluate(server: PreviewServer, body: unknown): Promise<{ status: number; body: TokenEvaluation }> {
  const response = await fetch(`${server.url}/preview/api/evaluate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as TokenEvaluation };
}

/** Claims without some names, in the order the token had them. */
function without(claims: Claims, ...names: string[]): Claims {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));
}

describe('preview API: token samples', () => {
  let server: PreviewServer;
  let samples: Sample[];

  before(async () => {
    server = await startPreviewServer({}, { 'token.yaml': TOKEN_RULES });
    samples = ((await (await fetch(`${server.url}/preview/api/samples`)).json()) as { samples: Sample[] }).samples;
  });
  after(async () => server.stop());

  const sample = (id: string) => structuredClone(samples.find((candidate) => candidate.id === id)!.request);

  it('lists three token samples beside the registration ones, each a valid token request built from the fixtures it names', () => {
    const tokens = samples.filter((s) => s.requestType === 'token');
    expect(tokens.map((s) => s.id)).to.deep.equal(['token-authorization-code', 'token-refresh', 'token-client-credentials']);
    expect(samples.filter((s) => s.requestType !== 'token').map((s) => s.id)).to.deep.equal(['self-service-registration', 'progressive-profile']);
    for (const s of tokens) {
      expect(validateTokenRequest(s.request).ok, s.id).to.equal(true);
      expect(s.source, s.id).to.be.a('string');
    }
    // The two derived flows are the fixtures as copied; the authorization-code one is Okta's
    // reference request with the authorization-code response type, and nothing else changed.
    expect(sample('token-refresh')).to.deep.equal(tokenFixture('derived/derived-refresh-grant-request.json'));
    expect(sample('token-client-credentials')).to.deep.equal(tokenFixture('derived/derived-client-credentials-request.json'));
    const reference = tokenFixture<TokenHookRequest>('ref-request-implicit-authorize.json');
    const code = sample('token-authorization-code');
    expect(code.data.context.protocol!.request).to.deep.equal({ ...reference.data.context.protocol!.request, response_type: 'code', response_mode: 'query' });
    expect(code.data.context.request!.url!.value).to.equal(reference.data.context.request!.url!.value!.replace('response_type=token+id_token', 'response_type=code'));
    code.data.context.protocol!.request = reference.data.context.protocol!.request;
    code.data.context.request!.url = reference.data.context.request!.url;
    expect(code).to.deep.equal(reference);
  });

  it('authorization code: each token before and after, every change with its rule, the lifetime shortened', async () => {
    const request = sample('token-authorization-code');
    const { status, body } = await evaluate(server, request);
    expect(status).to.equal(200);
    expect(body.decision).to.include({ outcome: 'allow', requestType: 'token' });
    expect(body.request).to.deep.equal(request);
    expect(validateTokenAnswer(body.response, { request })).to.deep.equal([]);
    const { access, identity } = body.tokens;
    const minted = { access: request.data.access!.claims!, identity: request.data.identity!.claims! };

    // 127.0.0.1 is outside the office networks: 15 minutes, and no preferred_username in the ID token.
    expect(access!.before).to.deep.equal({ claims: minted.access, lifetime: 3600 });
    expect(access!.after).to.deep.equal({ claims: { ...minted.access, firstName: "O'Cloudy Tud", [TIER]: 'gold' }, lifetime: 900 });
    expect(access!.changes).to.deep.equal([
      { change: 'lifetime', ruleId: 'short-lived-outside-office', path: LIFETIME_PATH },
      { claim: TIER, change: 'added', ruleId: 'tier-claim', path: TIER_PATH },
      { claim: 'firstName', change: 'replaced', ruleId: 'tier-claim', path: '/claims/firstName' },
    ]);
    expect(identity!.before).to.deep.equal({ claims: minted.identity, lifetime: 3600 });
    expect(identity!.after).to.deep.equal({ claims: { ...without(minted.identity, 'preferred_username'), locale: 'en' }, lifetime: 3600 });
    expect(identity!.changes).to.deep.equal([
      { claim: 'preferred_username', change: 'removed', ruleId: 'short-lived-outside-office', path: '/claims/preferred_username' },
      { claim: 'locale', change: 'added', ruleId: 'tier-claim', path: '/claims/locale' },
    ]);
    expect(body.tokens).to.include({ issued: true });
    expect(body.tokens.dropped).to.deep.equal([]);
    expect(body.tokens.ruleErrors).to.deep.equal([]);
    expect(body.trace.map((t) => [t.id, t.status])).to.deep.equal([
      ['short-lived-outside-office', 'matched'],
      ['no-tokens-for-retired-apps', 'not-matched'],
      ['tier-claim', 'matched'],
      ['broken-ratio', 'not-matched'],
    ]);
  });

  it('inside the office network: the same claims, the lifetime and preferred_username untouched', async () => {
    const request = sample('token-authorization-code');
    request.data.context.request!.ipAddress = '10.1.2.3';
    const { body } = await evaluate(server, request);
    expect(body.tokens.access!.after!.lifetime).to.equal(3600);
    expect(body.tokens.access!.changes.map((c) => c.change)).to.deep.equal(['added', 'replaced']);
    expect(body.tokens.identity!.after!.claims).to.have.property('preferred_username', 'administrator1@clouditude.net');
    expect(body.tokens.identity!.changes).to.deep.equal([{ claim: 'locale', change: 'added', ruleId: 'tier-claim', path: '/claims/locale' }]);
  });

  it('refresh token: the claims the refreshed tokens lack are added, not replaced', async () => {
    const request = sample('token-refresh');
    const { body } = await evaluate(server, request);
    expect(body.decision.outcome).to.equal('allow');
    expect(validateTokenAnswer(body.response, { request })).to.deep.equal([]);
    const access = body.tokens.access!;
    expect(access.after).to.deep.equal({ claims: { ...request.data.access!.claims!, [TIER]: 'gold', firstName: 'Member' }, lifetime: 900 });
    expect(access.changes.filter((c) => c.claim === 'firstName')).to.deep.equal([{ claim: 'firstName', change: 'added', ruleId: 'tier-claim', path: '/claims/firstName' }]);
    expect(body.tokens.identity!.after!.claims).to.deep.equal({ ...without(request.data.identity!.claims!, 'preferred_username'), locale: 'en' });
  });

  it('client credentials: no ID token, so its changes are dropped with the reason; a null value is dropped too', async () => {
    const request = sample('token-client-credentials');
    const { body } = await evaluate(server, request);
    expect(body.decision.outcome).to.equal('allow');
    expect(validateTokenAnswer(body.response, { request })).to.deep.equal([]);
    expect(body.tokens.identity).to.equal(null);
    expect(body.tokens.access!.after).to.deep.equal({ claims: { ...request.data.access!.claims!, [TIER]: 'gold' }, lifetime: 3600 });
    expect(body.tokens.dropped).to.deep.equal([
      {
        token: 'identity',
        ruleId: 'tier-claim',
        change: 'set',
        claim: 'locale',
        reason: 'token-not-minted',
        message: 'this request mints no ID token (client credentials, or no openid scope), so Okta would refuse an ID-token patch',
      },
      { token: 'access', ruleId: 'tier-claim', change: 'set', claim: 'firstName', reason: 'null-value', message: 'the value is null: nothing is sent, and a later rule may set the claim' },
    ]);
    expect(body.response.commands!.map((c) => c.type)).to.deep.equal(['com.okta.access.patch']);
  });

  it('a retired client: the refusal message, the tokens as minted and nothing after', async () => {
    const request = sample('token-authorization-code');
    request.data.context.protocol!.client!.id = '0oaRetiredClient';
    const { body } = await evaluate(server, request);
    expect(body.decision).to.deep.include({ outcome: 'deny', decidedBy: { kind: 'rule', ruleId: 'no-tokens-for-retired-apps' } });
    expect(body.response.error).to.deep.equal({ errorSummary: 'This application has been retired.' });
    expect(body.tokens).to.deep.include({ issued: false, refusal: { message: 'This application has been retired.' }, sent: [], dropped: [], ruleErrors: [] });
    expect(body.tokens.access).to.deep.equal({ before: { claims: request.data.access!.claims!, lifetime: 3600 }, after: null, changes: [] });
    expect(body.tokens.identity!.after).to.equal(null);
  });

  it('a claim value that is not JSON: a rule error, so (ON_RULE_ERROR=deny) no token, and the error says which rule and claim', async () => {
    const request = sample('token-authorization-code');
    request.data.context.request!.url!.value += '&ratio=broken';
    const { body } = await evaluate(server, request);
    expect(body.decision).to.deep.include({ outcome: 'deny', decidedBy: { kind: 'error', ruleId: 'broken-ratio' } });
    expect(body.tokens).to.deep.include({ issued: false, refusal: { message: 'The token could not be issued at this time.' }, sent: [] });
    expect(body.tokens.ruleErrors).to.deep.equal([
      { token: 'access', ruleId: 'broken-ratio', change: 'set', claim: 'ratio', message: 'the value is the number Infinity (JSON has no such number)' },
    ]);
  });

  it('answers each token sample exactly as POST /tokenHook does, and never sends the values a rule computed for a token not minted', async () => {
    const tokenSamples = samples.filter((candidate) => candidate.requestType === 'token');
    expect(tokenSamples).to.have.length(3);
    for (const s of tokenSamples) {
      const hook = await fetch(`${server.url}/tokenHook`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(s.request) });
      const sent = (await hook.json()) as TokenEvaluation['response'];
      const { body } = await evaluate(server, s.request);
      expect({ ...body.response, debugContext: { ...body.response.debugContext, decisionId: '-' } }, s.id).to.deep.equal({ ...sent, debugContext: { ...sent.debugContext, decisionId: '-' } });
      expect(body.decision, s.id).not.to.have.property('outcomes');
    }
  });

  it('says what is wrong with a token request that is not valid', async () => {
    const request = sample('token-authorization-code') as unknown as { data: Record<string, unknown> };
    delete request.data.access;
    delete request.data.identity;
    const { status, body } = await evaluate(server, request);
    expect(status).to.equal(400);
    expect(body.error?.code).to.equal('invalid_hook_request');
    expect(body.error?.details).to.include('/data: mints no token: needs data.access or data.identity');
  });
});

describe('preview API: token requests read counters and facts as the registration preview does', function () {
  this.timeout(30_000);
  let server: PreviewServer;

  // A counter of token requests per client, and a fact whose values become claims: plan in the
  // access token (sent, so shown) and status in the ID token (dropped for client credentials).
  const RULES = `facts:
  member:
    sql: SELECT plan, status FROM members WHERE member_number = '1002' AND $1::text IS NOT NULL
    params: [{ var: client.id }]
    database: MEMBERS_DB
    timeout: 2s
counters:
  tokensPerClient:
    key: { var: client.id }
    window: 1h
    appliesTo: [token]
rules:
  - id: too-many-tokens
    description: a client asking too often is refused
    appliesTo: [token]
    when: { ">": [{ var: counters.tokensPerClient }, 1000] }
    then: { deny: { message: Too many. } }
  - id: member-claims
    description: the member's plan and status as claims
    appliesTo: [token]
    when: { var: facts.member }
    then:
      access: { claims: { plan: { var: facts.member.plan } } }
      identity: { claims: { status: { var: facts.member.status } } }
`;

  before(async () => {
    server = await startPreviewServer({ MEMBERS_DB: `pglite:memory?seed=${MEMBERS_SEED}` }, { 'members.yaml': RULES });
  });
  after(async () => server?.stop());

  const clientCredentials = () => tokenFixture<TokenHookRequest>('derived/derived-client-credentials-request.json');

  it('reads the counter without counting; a real token request counts', async () => {
    for (let i = 0; i < 3; i++) {
      const { body } = await evaluate(server, { ...clientCredentials(), eventId: `preview-${i}` });
      expect(body.counters).to.deep.equal([{ name: 'tokensPerClient', count: 'attempts', use: 'peeked', key: '0o***(21)', value: 1 }]);
    }
    const hook = await fetch(`${server.url}/tokenHook`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(clientCredentials()) });
    expect(hook.status).to.equal(200);
    // Another event id: the same one would be Okta's retry of the request just counted.
    expect((await evaluate(server, { ...clientCredentials(), eventId: 'preview-after' })).body.counters![0]!.value).to.equal(2);
  });

  it('shows a sent claim as sent, the fact masked, and the value of a dropped claim nowhere', async () => {
    const { body } = await evaluate(server, clientCredentials());
    expect(body.tokens.access!.after!.claims).to.include({ plan: 'basic' });
    expect(body.facts![0]!.value).to.deep.equal({ plan: '[string]', status: '[string]' });
    expect(body.tokens.dropped).to.deep.include({
      token: 'identity',
      ruleId: 'member-claims',
      change: 'set',
      claim: 'status',
      reason: 'token-not-minted',
      message: 'this request mints no ID token (client credentials, or no openid scope), so Okta would refuse an ID-token patch',
    });
    // "suspended" is the fact's status: computed for the ID token, never sent, so never shown.
    expect(JSON.stringify(body)).not.to.include('suspended');
  });
});
