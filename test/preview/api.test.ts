import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { COMMAND, type OktaHookResponse } from '../../src/okta/types.js';
import { validateRequest, validateResponse } from '../../src/okta/validateRequest.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { BROKEN_YAML, openEvents, reloadRules, startPreviewServer, type PreviewServer } from './helpers.js';

interface Sample {
  id: string;
  requestType: string;
  request: { data: Record<string, Record<string, unknown>> };
}

interface Evaluation {
  request: unknown;
  response: OktaHookResponse;
  decision: { outcome: string; decidedBy: { kind: string; ruleId?: string }; updates: Record<string, unknown>; requestType: string };
  trace: Array<{ id: string; status: string; saw?: Record<string, unknown>; result?: unknown; description?: string; source: { file: string; line: number } }>;
  rulesetVersion: string;
}

interface State {
  reason?: string;
  rulesetVersion: string;
  files: string[];
  requestTypes: string[];
  loadErrors: Array<{ file: string; line: number; column: number; message: string }>;
}

describe('preview API', () => {
  let server: PreviewServer;
  let samples: Sample[];

  before(async () => {
    server = await startPreviewServer();
    samples = ((await (await fetch(`${server.url}/preview/api/samples`)).json()) as { samples: Sample[] }).samples;
  });
  after(async () => server.stop());

  const evaluate = async (body: unknown) => {
    const response = await fetch(`${server.url}/preview/api/evaluate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Evaluation & { error?: { code: string; details?: string[] } } };
  };
  const sample = (type: string) => structuredClone(samples.find((candidate) => candidate.requestType === type)!.request);

  it('serves the page with a strict content security policy and the auth header name', async () => {
    const response = await fetch(`${server.url}/preview`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    expect(response.headers.get('content-security-policy')).to.include("script-src 'self'").and.include("default-src 'none'");
    const html = await response.text();
    expect(html).to.include('<meta name="preview-auth-header" content="authorization">');
    expect(html).to.include('<meta name="preview-auth-required" content="false">');
  });

  it('serves only the listed static files', async () => {
    for (const name of ['app.js', 'render.js', 'widget.js', 'tokens.js', 'sse.js', 'style.css']) {
      const response = await fetch(`${server.url}/preview/static/${name}`);
      expect(response.status, name).to.equal(200);
      expect(await response.text(), name).to.equal(await readFile(path.join(PACKAGE_ROOT, 'preview', 'static', name), 'utf8'));
    }
    for (const name of ['index.html', 'widget.d.ts', '..%2Fsamples%2Fsamples.json', '..%2F..%2Fpackage.json']) {
      expect((await fetch(`${server.url}/preview/static/${name}`)).status, name).to.equal(404);
    }
  });

  it("lists Okta's sample registration requests, one per request type, each a valid hook request (token samples: tokens.test.ts)", () => {
    const registration = samples.filter((s) => s.requestType !== 'token');
    expect(registration.map((s) => s.requestType)).to.have.members(['self.service.registration', 'progressive.profile']);
    for (const s of registration) expect(validateRequest(s.request).ok, s.id).to.equal(true);
    expect(sample('self.service.registration').data.userProfile!.email).to.equal('rosario.jones@example.com');
    expect(sample('progressive.profile').data.userProfileUpdate).to.deep.equal({ employeeNumber: '1234' });
  });

  it('evaluates the registration sample: allowed by default, with the trace explained', async () => {
    const { status, body } = await evaluate(sample('self.service.registration'));
    expect(status).to.equal(200);
    expect(body.decision.outcome).to.equal('allow');
    expect(body.decision.decidedBy).to.deep.equal({ kind: 'default' });
    expect(validateResponse(body.response).ok).to.equal(true);
    expect(body.response.commands).to.deep.equal([{ type: COMMAND.action, value: { registration: 'ALLOW' } }]);
    expect(body.rulesetVersion).to.equal(server.store.current().version);
    expect(body.trace).to.have.length(1);
    expect(body.trace[0]).to.include({ id: 'deny-non-example-domain', status: 'not-matched', result: false });
    expect(body.trace[0]!.saw).to.deep.equal({ emailDomain: 'example.com' });
    expect(body.trace[0]!.source).to.deep.include({ file: 'registration.yaml', line: 16 });
    expect(body.trace[0]!.description).to.match(/^Deny sign-ups whose email domain/);
  });

  it('evaluates a denied email domain: DENY, the cause on data.userProfile.email, the rule and what it saw', async () => {
    const request = sample('self.service.registration');
    request.data.userProfile!.email = 'rosario@evil.example';
    const { body } = await evaluate(request);
    expect(body.decision.outcome).to.equal('deny');
    expect(body.decision.decidedBy).to.deep.equal({ kind: 'rule', ruleId: 'deny-non-example-domain' });
    expect(body.response.error?.errorCauses?.[0]).to.include({ location: 'data.userProfile.email', errorSummary: 'Use your example.com email address.' });
    expect(body.trace[0]).to.include({ status: 'matched', result: true });
    expect(body.trace[0]!.saw).to.deep.equal({ emailDomain: 'evil.example' });
    expect(body.request).to.deep.equal(request);
  });

  it('evaluates the progressive profile sample: the update is echoed back', async () => {
    const { body } = await evaluate(sample('progressive.profile'));
    expect(body.decision).to.include({ outcome: 'allow', requestType: 'progressive.profile' });
    expect(body.response.commands?.[0]).to.deep.equal({ type: COMMAND.progressiveProfileUpdate, value: { employeeNumber: '1234' } });
    expect(body.trace.map((t) => [t.id, t.status])).to.deep.equal([
      ['deny-malformed-employee-number', 'not-matched'],
      ['accept-submitted-attributes', 'matched'],
    ]);
  });

  it('says what is wrong with a body that is not an Okta request', async () => {
    const { status, body } = await evaluate({ data: { nothing: true } });
    expect(status).to.equal(400);
    expect(body.error?.code).to.equal('invalid_hook_request');
    expect(body.error?.details?.join('\n')).to.include('data.userProfile');
    const notJson = await fetch(`${server.url}/preview/api/evaluate`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'text/plain' } });
    expect(notJson.status).to.equal(415);
  });

  it('reports the ruleset version, and after a bad edit the load errors with their positions', async () => {
    const before = (await (await fetch(`${server.url}/preview/api/state`)).json()) as State;
    expect(before).to.include({ rulesetVersion: server.store.current().version });
    expect(before.files).to.deep.equal(['progressive-profile.yaml', 'registration.yaml']);
    expect(before.requestTypes).to.have.members(['progressive.profile', 'self.service.registration']); // the page opens on the first
    expect(before.loadErrors).to.deep.equal([]);

    const file = path.join(server.rulesDir, 'broken.yaml');
    await writeFile(file, BROKEN_YAML);
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(false);
    const after = (await (await fetch(`${server.url}/preview/api/state`)).json()) as State;
    expect(after.rulesetVersion).to.equal(before.rulesetVersion); // the last good rules keep serving
    expect(after.loadErrors.length).to.be.greaterThan(0);
    expect(after.loadErrors[0]).to.include({ file: 'broken.yaml' });
    expect(after.loadErrors[0]!.line).to.be.a('number').and.at.least(1);
    expect(after.loadErrors[0]!.column).to.be.a('number').and.at.least(1);

    await writeFile(file, 'description: fixed\n');
    expect(await reloadRules(server.store, server.rulesDir)).to.equal(true);
    const fixed = (await (await fetch(`${server.url}/preview/api/state`)).json()) as State;
    expect(fixed.loadErrors).to.deep.equal([]);
    expect(fixed.rulesetVersion).not.to.equal(before.rulesetVersion);
  });
});

describe('preview live updates (Server-Sent Events)', () => {
  let server: PreviewServer;
  before(async () => {
    server = await startPreviewServer();
  });
  after(async () => server.stop());

  it('sends the state on connect, then on every rejected and swapped reload', async () => {
    const events = await openEvents(`${server.url}/preview/api/events`);
    expect(events.status).to.equal(200);
    expect(events.contentType).to.match(/^text\/event-stream/);
    const next = async () => {
      const value = await events.next();
      expect(value?.event).to.equal('state');
      return JSON.parse(value!.data) as State;
    };

    const connected = await next();
    expect(connected).to.include({ reason: 'connected', rulesetVersion: server.store.current().version });

    const file = path.join(server.rulesDir, 'registration.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, BROKEN_YAML);
    await reloadRules(server.store, server.rulesDir);
    const rejected = await next();
    expect(rejected).to.include({ reason: 'rejected', rulesetVersion: connected.rulesetVersion });
    expect(rejected.loadErrors[0]).to.include({ file: 'registration.yaml' });

    await writeFile(file, original.replace('example.com email addresses only', 'example.com addresses only'));
    await reloadRules(server.store, server.rulesDir);
    const swapped = await next();
    expect(swapped.reason).to.equal('swapped');
    expect(swapped.loadErrors).to.deep.equal([]);
    expect(swapped.rulesetVersion).to.equal(server.store.current().version).and.not.equal(connected.rulesetVersion);
    events.close(); // the page goes away
  });

  it('ends open streams when the server stops, so stopping is not held up by pages', async () => {
    const other = await startPreviewServer();
    const events = await openEvents(`${other.url}/preview/api/events`);
    expect((await events.next())?.event).to.equal('state');
    await other.stop(); // resolves only once every connection is closed
    expect(await events.next()).to.equal(undefined);
  });
});

describe('preview behind the hook secret', () => {
  let server: PreviewServer;
  before(async () => {
    server = await startPreviewServer({ OKTA_HOOK_AUTH_SECRET: 's3cret-value', OKTA_HOOK_AUTH_HEADER: 'X-Hook-Secret' });
  });
  after(async () => server.stop());

  it('serves the page itself but tells it which header to send', async () => {
    const html = await (await fetch(`${server.url}/preview`)).text();
    expect(html).to.include('<meta name="preview-auth-header" content="x-hook-secret">');
    expect(html).to.include('<meta name="preview-auth-required" content="true">');
  });

  it('refuses every API call without the secret, and answers with it', async () => {
    for (const route of ['samples', 'state', 'events']) {
      expect((await fetch(`${server.url}/preview/api/${route}`)).status, route).to.equal(401);
      expect((await fetch(`${server.url}/preview/api/${route}`, { headers: { 'x-hook-secret': 'wrong' } })).status, route).to.equal(401);
    }
    const denied = await fetch(`${server.url}/preview/api/evaluate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(denied.status).to.equal(401);
    const state = await fetch(`${server.url}/preview/api/state`, { headers: { 'x-hook-secret': 's3cret-value' } });
    expect(state.status).to.equal(200);
  });
});

describe('preview off', () => {
  it('has no /preview routes unless PREVIEW is on', async () => {
    const server = await startPreviewServer({ PREVIEW: '0' });
    try {
      for (const route of ['/preview', '/preview/static/app.js', '/preview/api/state']) {
        expect((await fetch(`${server.url}${route}`)).status, route).to.equal(404);
      }
    } finally {
      await server.stop();
    }
  });
});
