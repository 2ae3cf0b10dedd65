import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';
import { TOKEN_FIXTURES_DIR } from '../hooks/token/support.js';
import { NETWORK_AND_RETIRED_RULES } from '../helpers/tokenRules.js';

const fixtureText = (name: string) => readFileSync(path.join(TOKEN_FIXTURES_DIR, name), 'utf8');

// The example rules: entitlements from a database fact, lifetime by network, retired clients.
const RULES = `facts:
  entitlements:
    sql: SELECT array_agg(name) AS names FROM entitlements WHERE user_id = $1
    params: [{ var: user.id }]
    database: APP_DB
    cache: 1m
    onError: deny
lists:
  officeNetworks: { kind: networks, values: [127.0.0.0/8, "2001:db8::/32"] }
  retiredClients: [0oaRetiredApp0000001]
defaults:
  token: allow
rules:
  - id: entitlements-claim
    description: The user's entitlements go into the access token.
    appliesTo: [token]
    when: { "!=": [{ var: facts.entitlements.names }, null] }
    then:
      access:
        claims:
          entitlements: { var: facts.entitlements.names }
          "https://example.com/claims/tier": gold
${NETWORK_AND_RETIRED_RULES}`;

const SUITE = `tests:
  - name: entitlements from the fact, in the access token
    request: { fixture: requests/authorize.json }
    facts: { entitlements: { names: [reports, billing] } }
    expect:
      decision: allow
      access:
        claims: { entitlements: [reports, billing], "https://example.com/claims/tier": gold }
        lifetime: null
      identity: { claims: {}, removed: [] }
  - name: client credentials outside the office, exact patches (no identity patch)
    request: { fixture: requests/client-credentials.json }
    facts: { entitlements: null }
    expect:
      decision: allow
      patches:
        - type: com.okta.access.patch
          value: [{ op: replace, path: /token/lifetime/expiration, value: 900 }]
  - name: a failed entitlements lookup refuses the token
    request: { fixture: requests/authorize.json }
    facts: { entitlements: { error: timeout } }
    expect: { decision: deny, message: The token could not be issued at this time. }
`;

describe('hook-rules test and eval with token requests (built CLI)', () => {
  const rules = tempRulesPerTest();
  const files = {
    'token.yaml': RULES,
    'requests/authorize.json': fixtureText('ref-request-implicit-authorize.json'),
    'requests/client-credentials.json': fixtureText('derived/derived-client-credentials-request.json'),
  };

  it('runs token cases from fixtures, checks access/identity and exact patches, and counts token rules in coverage', async () => {
    const t = await rules({ ...files, 'token.test.yaml': SUITE });
    const result = await runCli(['test', t.dir], { env: { APP_DB: 'pglite:memory' } });
    expect(result.stdout).to.include('Rule tests: 3 passed, 0 failed');
    // The retired-client rule matched no case: coverage names it.
    expect(result.stdout).to.include('no-tokens-for-retired-apps');
    expect(result.stdout).to.include('Rule coverage: 2 of 3 rules');
  });

  it('fails a case whose patch differs, saying how', async () => {
    const t = await rules({
      ...files,
      'token.test.yaml': `tests:
  - name: wrong lifetime and claims
    request: { fixture: requests/client-credentials.json }
    facts: { entitlements: { names: [reports] } }
    expect:
      decision: allow
      access: { lifetime: 3600, claims: { entitlements: [billing] } }
      patches: []
`,
    });
    const result = await runCli(['test', t.dir], { env: { APP_DB: 'pglite:memory' } });
    expect(result.code).to.not.equal(0);
    expect(result.stdout).to.include('access.lifetime: expected 3600, got 900');
    expect(result.stdout).to.include('access.claims: expected {"entitlements":["billing"]}');
    expect(result.stdout).to.include('patches: expected []');
  });

  it('refuses the token for a retired client, with the rule\'s message', async () => {
    const request = JSON.parse(fixtureText('ref-request-implicit-authorize.json'));
    request.data.context.protocol.client.id = '0oaRetiredApp0000001';
    const t = await rules({
      ...files,
      'requests/retired.json': JSON.stringify(request),
      'token.test.yaml': `tests:
  - name: retired
    request: { fixture: requests/retired.json }
    facts: { entitlements: null }
    expect: { decision: deny, decidedBy: no-tokens-for-retired-apps, message: This application has been retired., patches: [] }
`,
    });
    const result = await runCli(['test', t.dir], { env: { APP_DB: 'pglite:memory' } });
    expect(result.stdout).to.include('Rule tests: 1 passed, 0 failed');
  });

  it('takes the token shorthand: user, client, scopes, grantType, claims, query', async () => {
    const t = await rules({
      'token.yaml': `rules:
  - id: team-from-query
    description: A claim from an /authorize query parameter.
    appliesTo: [token]
    when: { "!=": [{ var: query.team }, null] }
    then: { access: { claims: { team: { var: query.team } } } }
  - id: admins-short
    description: Admin scope, short tokens; say who asked.
    appliesTo: [token]
    when: { in: [admin, { var: scopes }] }
    then:
      access: { lifetime: 10m }
      identity: { claims: { login: { var: user.profile.login } }, remove: [nickname] }
  - id: machines
    description: Client credentials say which client.
    appliesTo: [token]
    when: { "==": [{ var: grantType }, client_credentials] }
    then: { access: { claims: { machine: { var: client.name } } } }
`,
      'token.test.yaml': `tests:
  - name: a query parameter becomes a claim
    request: { requestType: token, query: { team: blue } }
    expect: { decision: allow, matchedRules: [team-from-query], access: { claims: { team: blue } } }
  - name: an admin's ID token, with a claim the token has replaced and one removed
    request:
      requestType: token
      grantType: implicit
      scopes: [openid, admin]
      user: { profile: { login: kim@example.com } }
      claims: { identity: { sub: 00utest, login: old, nickname: kk } }
    expect:
      decision: allow
      patches:
        - type: com.okta.identity.patch
          value: [{ op: replace, path: /claims/login, value: kim@example.com }, { op: remove, path: /claims/nickname }]
        - type: com.okta.access.patch
          value: [{ op: replace, path: /token/lifetime/expiration, value: 600 }]
  - name: without openid, no ID token, so no identity patch
    request: { requestType: token, scopes: [admin], user: { profile: { login: kim@example.com } } }
    expect: { decision: allow, access: { lifetime: 600 }, patches: [{ type: com.okta.access.patch, value: [{ op: replace, path: /token/lifetime/expiration, value: 600 }] }] }
  - name: client credentials
    request: { requestType: token, grantType: client_credentials, client: { id: 0oajob, name: Nightly job } }
    expect: { decision: allow, matchedRules: [machines], access: { claims: { machine: Nightly job } } }
`,
    });
    const result = await runCli(['test', t.dir, '--min-coverage', '100']);
    expect(result.stdout, result.stderr).to.include('Rule tests: 4 passed, 0 failed');
    expect(result.code).to.equal(0);
  });

  it('eval explains a client-credentials request: the access patch sent, the identity change not sent and why', async () => {
    const withFacts = await rules({ ...files, 'facts.json': '{"entitlements": null}' });
    const out = await runCli(['eval', path.join(withFacts.dir, 'requests/client-credentials.json'), '--dir', withFacts.dir, '--facts', path.join(withFacts.dir, 'facts.json')], { env: { APP_DB: 'pglite:memory' } });
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.include('"type": "com.okta.access.patch"');
    expect(out.stdout).not.to.include('com.okta.identity.patch');
    expect(out.stdout).to.match(/Not sent:\n {2}identity remove preferred_username \(short-lived-outside-office\): token-not-minted/);
  });
});
