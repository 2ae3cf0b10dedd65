import { expect } from 'chai';
import { tokenFacts } from '../../../src/hooks/token/tokenFacts.js';
import type { TokenHookRequest } from '../../../src/hooks/token/types.js';
import { refRequest, TOKEN_REQUESTS, tokenFixture } from './support.js';

const IMPLICIT_QUERY = {
  scope: 'openid profile email',
  response_type: 'token id_token',
  redirect_uri: 'https://httpbin.org/get',
  state: 'foobareere',
  nonce: 'asf',
  client_id: 'customClientIdNative',
};
const NATIVE_CLIENT = { id: 'customClientIdNative', name: 'Native client', type: 'PUBLIC' };

/** What conditions should see for each published request (and the two derived flows). */
const EXPECTED: Record<(typeof TOKEN_REQUESTS)[number], Record<string, unknown>> = {
  'ref-request-implicit-authorize.json': {
    email: 'administrator1@clouditude.net',
    emailDomain: 'clouditude.net',
    ipAddress: '127.0.0.1',
    client: NATIVE_CLIENT,
    grantType: 'implicit',
    scopes: ['openid', 'profile', 'email'],
    query: IMPLICIT_QUERY,
  },
  'ref-2019-03-request-implicit-authorize.json': {
    email: 'administrator1@clouditude.net',
    emailDomain: 'clouditude.net',
    ipAddress: '127.0.0.1',
    client: NATIVE_CLIENT,
    grantType: 'implicit',
    scopes: ['openid', 'profile', 'email'],
    query: IMPLICIT_QUERY,
  },
  // The ID token's email (webmaster@) differs from the login: the login wins.
  'postman-2021-execute-request-implicit-authorize.json': {
    email: 'administrator1@clouditude.net',
    emailDomain: 'clouditude.net',
    ipAddress: '127.0.0.1',
    client: NATIVE_CLIENT,
    grantType: 'implicit',
    scopes: ['openid', 'profile', 'email'],
    query: IMPLICIT_QUERY,
  },
  'mgmt-2024-execute-request-implicit-authorize.json': {
    email: 'administrator1@clouditude.net',
    emailDomain: 'clouditude.net',
    ipAddress: '127.0.0.1',
    client: NATIVE_CLIENT,
    grantType: 'implicit',
    scopes: ['openid', 'profile', 'email'],
    query: IMPLICIT_QUERY,
  },
  'openapi-2026.06.3-TokenPayLoadExample.json': {
    email: 'administrator1@clouditude.net',
    emailDomain: 'clouditude.net',
    ipAddress: '127.0.0.1',
    client: NATIVE_CLIENT,
    grantType: 'implicit',
    scopes: ['openid', 'profile', 'email'],
    query: { ...IMPLICIT_QUERY, state: 'state' },
  },
  'derived/derived-refresh-grant-request.json': {
    email: 'jo.member@example.com',
    emailDomain: 'example.com',
    ipAddress: 'xxx.xxx.xxx.xxx',
    client: { id: '0oa000000000000000000', name: 'Example SPA', type: 'PUBLIC' },
    grantType: 'refresh_token',
    scopes: ['offline_access', 'openid', 'email', 'roles', 'profile'],
    query: {},
  },
  'derived/derived-client-credentials-request.json': {
    email: null,
    emailDomain: null,
    ipAddress: '10.20.30.40',
    client: { id: '0oaServiceClient00001', name: 'Inventory sync job', type: 'CONFIDENTIAL' },
    grantType: 'client_credentials',
    scopes: ['inventory.read'],
    query: { scope: 'openid profile email', response_type: 'token', myStateParameter: 'hello world' },
  },
};

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('token hook: what conditions see (tokenFacts)', () => {
  for (const name of TOKEN_REQUESTS) {
    it(`${name}: the conveniences and the raw payload`, () => {
      const request = tokenFixture<TokenHookRequest>(name);
      const facts = tokenFacts(request);
      expect(facts.requestType).to.equal('token');
      for (const [key, value] of Object.entries(EXPECTED[name])) {
        expect(plain(facts[key as keyof typeof facts]), key).to.deep.equal(value);
      }
      expect(facts.data).to.equal(request.data);
      expect(facts.source).to.equal(request.source);
      expect(facts.user).to.equal(request.data.context.user ?? null);
      expect(facts.claims.identity).to.equal(request.data.identity?.claims ?? null);
      expect(facts.claims.access).to.equal(request.data.access?.claims ?? null);
    });
  }

  it('client credentials: no user and no ID token, so user and claims.identity are null', () => {
    const facts = tokenFacts(tokenFixture('derived/derived-client-credentials-request.json'));
    expect(facts.user).to.equal(null);
    expect(facts.claims.identity).to.equal(null);
    expect(facts.claims.access).to.include({ sub: '0oaServiceClient00001' });
  });

  it('is pure and frozen: the request is unchanged, and nothing in what it adds can be written', () => {
    const request = refRequest();
    const before = structuredClone(request);
    const facts = tokenFacts(request);
    expect(request).to.deep.equal(before);
    expect(Object.isFrozen(facts)).to.equal(true);
    for (const part of [facts.client, facts.scopes, facts.query, facts.claims]) expect(Object.isFrozen(part)).to.equal(true);
    expect(() => {
      (facts as { email: string }).email = 'x@y.z';
    }).to.throw(TypeError);
  });

  it("the email falls back to the ID token's email claim when the login is not an address", () => {
    const request = refRequest();
    request.data.context.user!.profile = { login: 'jdoe' };
    request.data.identity!.claims = { ...request.data.identity!.claims, email: 'Jo@Sub.Example.COM' };
    const facts = tokenFacts(request);
    expect(facts.email).to.equal('Jo@Sub.Example.COM');
    expect(facts.emailDomain).to.equal('sub.example.com');
    delete request.data.identity;
    expect(tokenFacts(request).email).to.equal(null);
  });

  it('grantType at /authorize comes from response_type; a grant_type sent wins', () => {
    const cases: Array<[Record<string, string>, string | null]> = [
      [{ response_type: 'code' }, 'authorization_code'],
      [{ response_type: 'code id_token' }, 'authorization_code'],
      [{ response_type: 'id_token' }, 'implicit'],
      [{ response_type: 'token' }, 'implicit'],
      [{ response_type: 'none' }, null],
      [{}, null],
      [{ grant_type: 'password', response_type: 'code' }, 'password'],
    ];
    for (const [protocolRequest, expected] of cases) {
      const request = refRequest();
      request.data.context.protocol!.request = protocolRequest;
      expect(tokenFacts(request).grantType, JSON.stringify(protocolRequest)).to.equal(expected);
    }
  });

  it('scopes lists granted scopes only, and is empty without an access token', () => {
    const request = refRequest();
    request.data.access!.scopes = { a: { action: 'GRANT' }, b: { action: 'SOMETHING_ELSE' }, c: {} };
    expect(tokenFacts(request).scopes).to.deep.equal(['a', 'c']);
    delete request.data.access;
    expect(tokenFacts(request).scopes).to.deep.equal([]);
  });

  it('query: repeated parameters as a list, the fragment left out, no inherited names', () => {
    const request = refRequest();
    request.data.context.request!.url = { value: 'https://{yourOktaDomain}/v1/authorize?a=1&b=x+y&a=2&a=3&empty=&constructor=c&__proto__=p#frag=1' };
    const { query } = tokenFacts(request);
    expect(plain(query)).to.deep.equal(JSON.parse('{"a":["1","2","3"],"b":"x y","empty":"","constructor":"c","__proto__":"p"}'));
    expect(Object.getPrototypeOf(query)).to.equal(null);
    request.data.context.request!.url = { value: 'https://example.com/v1/token' };
    expect(Object.keys(tokenFacts(request).query)).to.deep.equal([]);
    expect((tokenFacts(request).query as Record<string, unknown>).toString).to.equal(undefined);
  });

  it('client falls back to protocol.request.client_id when Okta sends no client object', () => {
    const request = refRequest();
    delete request.data.context.protocol!.client;
    expect(plain(tokenFacts(request).client)).to.deep.equal({ id: 'customClientIdNative', name: null, type: null });
    delete request.data.context.protocol!.request;
    expect(tokenFacts(request).client).to.equal(null);
  });
});
