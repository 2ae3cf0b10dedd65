import { expect } from 'chai';
import { requestOnNewConnection } from '../helpers/freshConnection.js';
import { keyPair, signToken, startIssuer, type Issuer } from '../helpers/oauthIssuer.js';
import { ServeProcess } from '../production/childProcess.js';
import { openEvents, startPreviewServer, type PreviewServer } from './helpers.js';

const AUDIENCE = 'api://okta-hook';
const SAMPLE = { data: { userProfile: { email: 'rosario@example.com', firstName: 'Rosario', lastName: 'Jones' } } };

/** Every /preview/api endpoint that reveals or evaluates rules, asked with `headers`; the statuses. */
async function previewStatuses(base: string, headers: Record<string, string>): Promise<Record<string, number>> {
  // Each on a new connection, so that with workers the calls spread over them.
  const get = async (path: string) => (await requestOnNewConnection(`${base}${path}`, { headers })).status;
  const events = await openEvents(`${base}/preview/api/events`, headers);
  events.close();
  const evaluate = await requestOnNewConnection(`${base}/preview/api/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(SAMPLE),
  });
  return { samples: await get('/preview/api/samples'), state: await get('/preview/api/state'), evaluate: evaluate.status, events: events.status };
}

const all = (status: number) => ({ samples: status, state: status, evaluate: status, events: status });

describe('preview API with OAuth configured: exactly what the hook accepts', function () {
  this.timeout(30_000);
  let issuer: Issuer;
  let key: Awaited<ReturnType<typeof keyPair>>;
  const oauthEnv = () => ({ OKTA_HOOK_OAUTH_ISSUER: issuer.issuer, OKTA_HOOK_OAUTH_AUDIENCE: AUDIENCE });

  before(async () => {
    issuer = await startIssuer();
    key = await keyPair('key-a');
    issuer.setKeys([key.jwk]);
  });
  after(() => issuer.close());

  describe('one process, OAuth only (no header secret)', () => {
    let server: PreviewServer;
    before(async () => (server = await startPreviewServer(oauthEnv())));
    after(() => server.stop());

    it('refuses every API call without a token, or with a token the hook would refuse', async () => {
      expect(await previewStatuses(server.url, {})).to.deep.equal(all(401));
      const expired = await signToken(key, issuer.issuer, AUDIENCE, {}, Math.floor(Date.now() / 1000) - 600);
      expect(await previewStatuses(server.url, { authorization: `Bearer ${expired}` })).to.deep.equal(all(401));
      const otherAudience = await signToken(key, issuer.issuer, 'api://other');
      expect(await previewStatuses(server.url, { authorization: `Bearer ${otherAudience}` })).to.deep.equal(all(401));
      const impostor = await keyPair('key-a'); // same kid, another private key
      expect(await previewStatuses(server.url, { authorization: `Bearer ${await signToken(impostor, issuer.issuer, AUDIENCE)}` })).to.deep.equal(all(401));
    });

    it('answers every API call with a valid token, as the hook does', async () => {
      const headers = { authorization: `Bearer ${await signToken(key, issuer.issuer, AUDIENCE)}` };
      expect(await previewStatuses(server.url, headers)).to.deep.equal(all(200));
      const hook = await fetch(`${server.url}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(SAMPLE) });
      expect(hook.status).to.equal(200);
    });

    it('tells the page that a bearer token is accepted and no header secret is', async () => {
      const page = await (await fetch(`${server.url}/preview`)).text();
      expect(page).to.include('name="preview-auth-required" content="true"');
      expect(page).to.include('name="preview-auth-oauth" content="true"');
      expect(page).to.include('name="preview-auth-secret" content="false"');
    });
  });

  describe('one process, OAuth and a header secret', () => {
    let server: PreviewServer;
    before(async () => (server = await startPreviewServer({ ...oauthEnv(), OKTA_HOOK_AUTH_HEADER: 'x-hook-secret', OKTA_HOOK_AUTH_SECRET: 's3cret' })));
    after(() => server.stop());

    it('takes the secret or a token, and nothing else', async () => {
      expect(await previewStatuses(server.url, { 'x-hook-secret': 's3cret' })).to.deep.equal(all(200));
      expect(await previewStatuses(server.url, { authorization: `Bearer ${await signToken(key, issuer.issuer, AUDIENCE)}` })).to.deep.equal(all(200));
      expect(await previewStatuses(server.url, { 'x-hook-secret': 'wrong' })).to.deep.equal(all(401));
      expect(await previewStatuses(server.url, {})).to.deep.equal(all(401));
    });
  });

  it('with WORKERS=2 (the real process), every worker refuses without a token and answers with one', async function () {
    this.timeout(60_000);
    const serve = new ServeProcess({ ...oauthEnv(), PREVIEW: '1', WORKERS: '2' });
    try {
      const base = await serve.url();
      const started = (line: { msg?: string }) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const headers = { authorization: `Bearer ${await signToken(key, issuer.issuer, AUDIENCE)}` };
      for (let i = 0; i < 4; i++) {
        expect(await previewStatuses(base, {})).to.deep.equal(all(401));
        expect(await previewStatuses(base, headers)).to.deep.equal(all(200));
      }
      // New connections are dealt out to both workers in turn: the hook's decision lines show both answered.
      for (let i = 0; i < 4; i++) {
        const answer = await requestOnNewConnection(`${base}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(SAMPLE) });
        expect(answer.status).to.equal(200);
      }
      await serve.waitFor((line) => line.event === 'decision' && serve.lines.filter((l) => l.event === 'decision').length >= 4, 'four decisions');
      expect(new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => line.pid)).size).to.equal(2);
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
  });
});
