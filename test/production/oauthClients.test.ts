import { expect } from 'chai';
import { SignJWT, type CryptoKey } from 'jose';
import { fixture } from '../helpers/fixtures.js';
import { keyPair, signToken, startIssuer, type Issuer } from '../helpers/oauthIssuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Any app signed in through the same authorization server holds tokens with the hook's issuer
// and audience (with the documented /oauth2/default and api://default: every end user of every
// app). OKTA_HOOK_OAUTH_CLIENT_IDS names the clients whose tokens are Okta's hook calls.

const AUDIENCE = 'api://okta-hook';
const HOOK_CLIENT = '0oa-hook-client';
const PREVIEW_CLIENT = '0oa-preview-client';
const BODY = JSON.stringify(fixture('guide-ssr-request-2022.json'));

describe('OAuth: only tokens of the configured clients (real server, local issuer)', function () {
  this.timeout(30_000);
  let issuer: Issuer;
  let key: Awaited<ReturnType<typeof keyPair>>;
  let server: TestServer;

  /** A token as the issuer would sign it, with exactly these client claims (no default cid). */
  const tokenWith = (claims: Record<string, unknown>, signer: { privateKey: CryptoKey; kid: string } = key) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signer.kid }).setIssuer(issuer.issuer).setAudience(AUDIENCE).setSubject('someone').setIssuedAt().setExpirationTime('5m').sign(signer.privateKey);
  const hook = (token: string) => fetch(`${server.url}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: BODY });
  const lastRejection = () => server.logs.lines.filter((line) => line.event === 'request-rejected').at(-1);

  before(async () => {
    issuer = await startIssuer();
    key = await keyPair('key-a');
    issuer.setKeys([key.jwk]);
    server = await startTestServer({
      RULES_DIR: 'rules',
      PREVIEW: '1',
      OKTA_HOOK_OAUTH_ISSUER: issuer.issuer,
      OKTA_HOOK_OAUTH_AUDIENCE: AUDIENCE,
      OKTA_HOOK_OAUTH_CLIENT_IDS: ` ${HOOK_CLIENT}, ${PREVIEW_CLIENT} ,`,
    });
  });
  after(async () => {
    await server.close();
    await issuer.close();
  });

  it('accepts the hook client\'s token, and each listed client\'s', async () => {
    expect((await hook(await signToken(key, issuer.issuer, AUDIENCE))).status).to.equal(200); // cid 0oa-hook-client
    expect((await hook(await tokenWith({ cid: PREVIEW_CLIENT }))).status).to.equal(200);
    expect((await hook(await tokenWith({ client_id: HOOK_CLIENT }))).status).to.equal(200); // RFC 9068's name
  });

  it('refuses a token another app got from the same issuer: 401, logged with the reason, never the token', async () => {
    const other = await tokenWith({ cid: '0oa-end-user-app', uid: '00u-someone', scp: ['openid', 'profile'] });
    const response = await hook(other);
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.equal({ error: { code: 'unauthorized', message: 'missing or invalid hook credentials' } });
    expect(lastRejection()).to.include({ status: 401, route: '/registrationHook', reason: 'token\'s client "0oa-end-user-app" is not in OKTA_HOOK_OAUTH_CLIENT_IDS' });
    const logged = JSON.stringify(server.logs.lines);
    for (const part of other.split('.')) expect(logged).not.to.contain(part);
  });

  it('refuses a token that names no client, or names one in a way that is not a listed id', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /names no client/],
      [{ cid: [HOOK_CLIENT] }, /client a list is not/],
      [{ cid: 7 }, /client a number is not/],
      [{ cid: HOOK_CLIENT.toUpperCase() }, /not in OKTA_HOOK_OAUTH_CLIENT_IDS/],
      [{ cid: `${HOOK_CLIENT},${PREVIEW_CLIENT}` }, /not in OKTA_HOOK_OAUTH_CLIENT_IDS/],
      [{ cid: '' }, /client "" is not/],
      [{ cid: HOOK_CLIENT, client_id: '0oa-other' }, /client "0oa-other" is not/], // one claim cannot vouch for the other
      [{ client_id: '0oa-other' }, /client "0oa-other" is not/],
    ];
    for (const [claims, reason] of cases) {
      expect((await hook(await tokenWith(claims))).status, JSON.stringify(claims)).to.equal(401);
      expect(String(lastRejection()?.reason), JSON.stringify(claims)).to.match(reason);
    }
  });

  it('the preview API takes the same clients and refuses the others', async () => {
    const samples = async (token: string) => (await fetch(`${server.url}/preview/api/samples`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await samples(await tokenWith({ cid: PREVIEW_CLIENT }))).to.equal(200);
    expect(await samples(await tokenWith({ cid: '0oa-end-user-app' }))).to.equal(401);
  });

  it('without the setting (development only), any client of the issuer is accepted, and the start says so', async () => {
    const open = await startTestServer({ RULES_DIR: 'rules', OKTA_HOOK_OAUTH_ISSUER: issuer.issuer, OKTA_HOOK_OAUTH_AUDIENCE: AUDIENCE });
    try {
      const response = await fetch(`${open.url}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenWith({ cid: '0oa-end-user-app' })}` }, body: BODY });
      expect(response.status).to.equal(200);
      expect(open.logs.lines.some((line) => line.level === 40 && String(line.msg).startsWith('OKTA_HOOK_OAUTH_CLIENT_IDS is not set'))).to.equal(true);
    } finally {
      await open.close();
    }
  });
});
