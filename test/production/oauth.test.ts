import { expect } from 'chai';
import { SignJWT, base64url, type CryptoKey } from 'jose';
import { createBearerVerifier, scopesOf } from '../../src/server/middleware/oauth.js';
import { keyPair, startIssuer } from '../helpers/oauthIssuer.js';
import { startApp } from './appServer.js';

const AUDIENCE = 'api://okta-hook';
const SCOPE = 'okta.hooks.registration';

describe('OAuth 2.0 hook authentication', function () {
  let issuerServer: Awaited<ReturnType<typeof startIssuer>>;
  let app: Awaited<ReturnType<typeof startApp>>;
  let keyA: Awaited<ReturnType<typeof keyPair>>;
  let keyB: Awaited<ReturnType<typeof keyPair>>;

  const token = (key: { privateKey: CryptoKey; kid: string }, claims: Record<string, unknown> = {}, options: { iss?: string; aud?: string; exp?: string | number } = {}) =>
    new SignJWT({ scp: [SCOPE], cid: '0oa-hook-client', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(options.iss ?? issuerServer.issuer)
      .setAudience(options.aud ?? AUDIENCE)
      .setSubject('0oa-hook-client')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(key.privateKey);
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

  before(async () => {
    issuerServer = await startIssuer();
    keyA = await keyPair('key-a');
    keyB = await keyPair('key-b');
    issuerServer.setKeys([keyA.jwk]);
    const oauth = { issuer: issuerServer.issuer, audience: AUDIENCE, scope: SCOPE };
    // cooldown 0: an unknown kid refetches at once (production waits 30 s between such fetches).
    app = await startApp({ config: { oauth, authHeader: 'x-hook-secret', authSecrets: ['header-secret'] }, bearer: createBearerVerifier(oauth, { cooldownMs: 0 }) });
  });
  after(async () => {
    await app.close();
    await issuerServer.close();
  });

  it('accepts a valid token, finding the keys through discovery', async () => {
    const response = await app.hook(bearer(await token(keyA)));
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { commands: unknown[] }).commands).to.have.length(1);
  });

  it('rejects an expired token', async () => {
    const response = await app.hook(bearer(await token(keyA, {}, { exp: Math.floor(Date.now() / 1000) - 600 })));
    expect(response.status).to.equal(401);
    expect(app.logs.at(-1)).to.include({ msg: 'hook bearer token rejected', reason: 'token expired' });
  });

  it('rejects a token for another audience', async () => {
    expect((await app.hook(bearer(await token(keyA, {}, { aud: 'api://default' })))).status).to.equal(401);
    expect(app.logs.at(-1)?.reason).to.match(/claim aud/);
  });

  it('rejects a token from another issuer', async () => {
    expect((await app.hook(bearer(await token(keyA, {}, { iss: 'https://evil.example.com/oauth2/hook' })))).status).to.equal(401);
    expect(app.logs.at(-1)?.reason).to.match(/claim iss/);
  });

  it('rejects a token signed by a key that is not the published one', async () => {
    const impostor = { ...(await keyPair('key-a')) }; // same kid, other private key
    expect((await app.hook(bearer(await token(impostor)))).status).to.equal(401);
    expect(app.logs.at(-1)?.reason).to.equal('signature does not verify');
  });

  it('rejects alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(JSON.stringify({ iss: issuerServer.issuer, aud: AUDIENCE, exp: now + 300, iat: now, scp: [SCOPE] }));
    for (const unsigned of [`${header}.${payload}.`, `${header}.${payload}`]) {
      expect((await app.hook(bearer(unsigned))).status).to.equal(401);
      expect(app.logs.at(-1)).to.include({ msg: 'hook bearer token rejected' }); // judged by the verifier, not the header parse
    }
  });

  it('rejects a token without the required scope, and reads scope as a string too', async () => {
    expect((await app.hook(bearer(await token(keyA, { scp: ['openid'] })))).status).to.equal(401);
    expect(app.logs.at(-1)?.reason).to.equal(`token lacks the scope ${SCOPE}`);
    expect((await app.hook(bearer(await token(keyA, { scp: undefined, scope: `openid ${SCOPE}` })))).status).to.equal(200);
  });

  it('follows key rotation: a token with a new kid makes the JWKS be fetched again', async () => {
    const before = issuerServer.fetches();
    expect((await app.hook(bearer(await token(keyB)))).status).to.equal(401); // not published yet
    issuerServer.setKeys([keyB.jwk]); // the issuer rotates: A retired, B current
    expect((await app.hook(bearer(await token(keyB)))).status).to.equal(200);
    expect(issuerServer.fetches()).to.be.greaterThan(before);
  });

  it('still takes the header secret, and nothing else', async () => {
    expect((await app.hook({ 'x-hook-secret': 'header-secret' })).status).to.equal(200);
    expect((await app.hook({ 'x-hook-secret': 'wrong' })).status).to.equal(401);
    expect((await app.hook({})).status).to.equal(401);
    expect((await app.hook({ authorization: 'Basic aGVhZGVyLXNlY3JldA==' })).status).to.equal(401);
  });

  it('answers 503 (Okta retries) when the keys cannot be fetched, and never logs the token', async () => {
    const verifier = createBearerVerifier({ issuer: issuerServer.issuer, audience: AUDIENCE }, { cooldownMs: 0 });
    const broken = await startApp({ config: { oauth: { issuer: issuerServer.issuer, audience: AUDIENCE } }, bearer: verifier });
    issuerServer.setStatus(500);
    try {
      const jwt = await token(keyB);
      const response = await broken.hook(bearer(jwt));
      expect(response.status).to.equal(503);
      expect(await response.json()).to.deep.equal({ error: { code: 'auth_unavailable', message: 'cannot verify credentials right now' } });
      expect(JSON.stringify(broken.logs)).not.to.contain(jwt.split('.')[2]);
    } finally {
      issuerServer.setStatus(200);
      await broken.close();
    }
  });

  it('reads scopes from scp arrays and scope strings', () => {
    expect(scopesOf({ scp: ['a', 'b'] })).to.deep.equal(['a', 'b']);
    expect(scopesOf({ scope: 'a b' })).to.deep.equal(['a', 'b']);
    expect(scopesOf({})).to.deep.equal([]);
  });
});
