import { expect } from 'chai';
import { detectTokenRequestType, hookKindOf, isTokenRequest, wrongRouteProblem } from '../../../src/hooks/token/requestKind.js';
import { validateTokenRequest } from '../../../src/hooks/token/validateTokenRequest.js';
import { fixture, REQUEST_FIXTURES } from '../../helpers/fixtures.js';
import { MALFORMED_REQUEST, refRequest, TOKEN_REQUESTS, tokenFixture } from './support.js';

const ROUTES = { token: '/tokenHook', registration: '/hook' } as const;

function withoutEventType(body: Record<string, unknown>): Record<string, unknown> {
  const { eventType: _dropped, ...rest } = body;
  return rest;
}

describe('token hook: telling token requests from registration requests', () => {
  for (const name of TOKEN_REQUESTS) {
    it(`${name} is a token request, by eventType and by its shape alone`, () => {
      const body = tokenFixture<Record<string, unknown>>(name);
      expect(hookKindOf(body)).to.equal('token');
      expect(hookKindOf(withoutEventType(body))).to.equal('token');
      expect(isTokenRequest(body)).to.equal(true);
    });
  }

  for (const name of REQUEST_FIXTURES) {
    it(`registration fixture ${name} is not a token request`, () => {
      const body = fixture<Record<string, unknown>>(name);
      expect(hookKindOf(body)).to.equal('registration');
      expect(hookKindOf(withoutEventType(body))).to.equal('registration');
      expect(isTokenRequest(body)).to.equal(false);
    });
  }

  it('the eventType decides over the shape (Okta always sends it)', () => {
    const body = { ...refRequest(), eventType: 'com.okta.user.pre-registration' };
    expect(hookKindOf(body)).to.equal('registration');
  });

  it('a progressive-profile body carries data.context.user too: the token signals are what count', () => {
    const body = withoutEventType(refRequest() as never);
    expect(hookKindOf(body)).to.equal('token');
    const pp = { data: { context: { user: { id: '00u1', profile: {} } } } };
    expect(hookKindOf(pp)).to.equal('registration');
  });

  it('says nothing for bodies that name no hook', () => {
    for (const body of [null, 'x', [], {}, { data: null }, { data: { context: {} } }, { eventType: 'com.okta.saml.tokens.transform' }]) {
      expect(hookKindOf(body), JSON.stringify(body)).to.equal(null);
    }
  });

  it('a token payload on the registration route (and the reverse) gets a message naming the right route', () => {
    expect(wrongRouteProblem(refRequest(), 'registration', ROUTES)).to.equal(
      'this is a token inline hook request (com.okta.oauth2.tokens.transform); send it to /tokenHook, not /hook',
    );
    expect(wrongRouteProblem(fixture('guide-ssr-request-2022.json'), 'token', ROUTES)).to.equal(
      'this is a registration inline hook request (com.okta.user.pre-registration); send it to /hook, not /tokenHook',
    );
    expect(wrongRouteProblem(refRequest(), 'token', ROUTES)).to.equal(null);
    expect(wrongRouteProblem({}, 'token', ROUTES), 'nothing says where it belongs: the schema explains').to.equal(null);
  });

  it('the request type is token; a note says when the eventType was missing', () => {
    expect(detectTokenRequestType(refRequest())).to.deep.equal({ type: 'token' });
    const verdict = detectTokenRequestType(withoutEventType(refRequest() as never) as never);
    expect(verdict.type).to.equal('token');
    expect(verdict.note).to.match(/no eventType/);
  });
});

describe('token hook: request schema (schemas/okta-token-request.schema.json)', () => {
  for (const name of TOKEN_REQUESTS) {
    it(`accepts ${name}`, () => {
      const result = validateTokenRequest(tokenFixture(name));
      expect(result.ok ? [] : result.problems).to.deep.equal([]);
    });
  }

  it(`rejects ${MALFORMED_REQUEST} (data: null, as published in 2024.08.0)`, () => {
    const result = validateTokenRequest(tokenFixture(MALFORMED_REQUEST));
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.problems).to.deep.include({ path: '/data', message: 'must be object' });
  });

  it('rejects registration payloads (their eventType)', () => {
    const result = validateTokenRequest(fixture('guide-ssr-request-2022.json'));
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.problems).to.deep.include({ path: '/eventType', message: 'must be "com.okta.oauth2.tokens.transform"' });
  });

  it('a request minting no token is refused in words', () => {
    const request = refRequest();
    delete request.data.identity;
    delete request.data.access;
    const result = validateTokenRequest(request);
    expect(result.ok ? [] : result.problems).to.deep.equal([{ path: '/data', message: 'mints no token: needs data.access or data.identity' }]);
  });

  it('is lenient where Okta varies: numeric versions, no user or session, OriginalGrant casing, extra fields', () => {
    const request = refRequest() as unknown as Record<string, any>;
    request.eventTypeVersion = 1;
    request.cloudEventVersion = 0.1;
    delete request.data.context.user;
    delete request.data.context.session;
    request.data.context.protocol.OriginalGrant = { request: { scope: 'openid' } };
    request.data.context.somethingNew = { x: 1 };
    expect(validateTokenRequest(request).ok).to.equal(true);
  });

  it('is strict about the types it reads', () => {
    const request = refRequest() as unknown as Record<string, any>;
    request.data.context.request.ipAddress = 127;
    request.data.access.scopes = ['openid'];
    request.data.identity.claims = 'sub=1';
    const result = validateTokenRequest(request);
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.path)).to.include.members(['/data/context/request/ipAddress', '/data/access/scopes', '/data/identity/claims']);
    }
  });
});
