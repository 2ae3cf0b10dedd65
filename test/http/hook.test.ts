import { expect } from 'chai';
import { validateResponse } from '../../src/okta/validateRequest.js';
import { fixture, ppRequest, REQUEST_FIXTURES, ssrRequest } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOOK = '/registrationHook';

describe('POST /registrationHook on the default rules (real server on loopback)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RULES_DIR: 'rules' });
  });
  after(() => server.close());

  for (const name of REQUEST_FIXTURES) {
    it(`answers ${name} with a valid Okta response`, async () => {
      const { status, body, headers } = await server.post(HOOK, fixture(name));
      expect(status).to.equal(200);
      expect(headers.get('content-type')).to.match(/^application\/json/);
      expect(validateResponse(body).ok ? [] : (validateResponse(body) as { problems: string[] }).problems).to.deep.equal([]);
      expect(body.debugContext.rulesetVersion).to.equal(server.store.current().version);
    });
  }

  const registration: Array<[string, 'ALLOW' | 'DENY']> = [
    ['rosario.jones@example.com', 'ALLOW'],
    ['Rosario.Jones@Example.COM', 'ALLOW'],
    ['a@example.com.', 'ALLOW'],
    ['a@notexample.com', 'DENY'],
    ['a@example.com.other.org', 'DENY'],
    ['a@sub.example.com', 'DENY'],
    ['example.com@evil.org', 'DENY'],
    ['not-an-address', 'DENY'],
  ];
  for (const [email, expected] of registration) {
    it(`registration with ${email} → ${expected}`, async () => {
      const { body } = await server.post(HOOK, ssrRequest({ email, login: email, firstName: 'A', lastName: 'B' }));
      const action = body.commands.find((c: { type: string }) => c.type === 'com.okta.action.update');
      expect(action.value.registration).to.equal(expected);
      if (expected === 'DENY') {
        expect(body.error.errorCauses[0].location).to.equal('data.userProfile.email');
        expect(body.error.errorCauses[0].reason).to.equal('INVALID_EMAIL_DOMAIN');
        expect(body.debugContext.decidedBy).to.equal('rule:deny-non-example-domain');
      } else {
        expect(body.error).to.equal(undefined);
      }
    });
  }

  const progressive: Array<[string, unknown, 'ALLOW' | 'DENY']> = [
    ['"1234"', '1234', 'ALLOW'],
    ['1234 as a number', 1234, 'ALLOW'],
    ['"0042"', '0042', 'ALLOW'],
    ['"123"', '123', 'DENY'],
    ['"12345"', '12345', 'DENY'],
    ['"12a4"', '12a4', 'DENY'],
    ['"1234\\n"', '1234\n', 'DENY'],
    ['""', '', 'DENY'],
    ['12.5', 12.5, 'DENY'],
  ];
  for (const [label, employeeNumber, expected] of progressive) {
    it(`progressive profile with employeeNumber ${label} → ${expected}`, async () => {
      const { body } = await server.post(HOOK, ppRequest({ employeeNumber, mobilePhone: '555-0100' }));
      if (expected === 'ALLOW') {
        expect(body.commands).to.deep.equal([
          { type: 'com.okta.user.progressive.profile.update', value: { employeeNumber, mobilePhone: '555-0100' } },
          { type: 'com.okta.action.update', value: { registration: 'ALLOW' } },
        ]);
      } else {
        expect(body.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
        expect(body.error.errorCauses[0]).to.include({ location: 'data.userProfile.employeeNumber', reason: 'INVALID_EMPLOYEE_NUMBER' });
      }
    });
  }

  it('echoes a progressive profile update without an employee number', async () => {
    const { body } = await server.post(HOOK, ppRequest({ nickName: 'Ro' }));
    expect(body.commands[0]).to.deep.equal({ type: 'com.okta.user.progressive.profile.update', value: { nickName: 'Ro' } });
  });

  it('answers the same through the router (a trailing slash, another case) as on the direct path', async () => {
    const request = ssrRequest({ email: 'a@notexample.com', login: 'a@notexample.com', firstName: 'A', lastName: 'B' });
    const direct = await server.post(HOOK, request);
    for (const spelling of [`${HOOK}/`, HOOK.toUpperCase()]) {
      const routed = await server.post(spelling, request);
      expect(routed.status).to.equal(200);
      const { decisionId: _a, ...routedContext } = routed.body.debugContext;
      const { decisionId: _b, ...directContext } = direct.body.debugContext;
      expect({ ...routed.body, debugContext: routedContext }).to.deep.equal({ ...direct.body, debugContext: directContext });
    }
    expect((await fetch(`${server.url}${HOOK}`)).status).to.equal(405);
  });

  it('writes one decision log line with ids and no personal data', async () => {
    const before = server.logs.lines.length;
    const { body } = await server.post(HOOK, ssrRequest({ email: 'secret.person@notexample.com', firstName: 'Secret' }));
    const lines = server.logs.lines.slice(before);
    const decision = lines.find((l) => l.event === 'decision')!;
    expect(decision).to.include({ decisionId: body.debugContext.decisionId, decision: 'deny', requestType: 'self.service.registration' });
    expect(decision.matchedRules).to.deep.equal(['deny-non-example-domain']);
    // Masked by default: the address keeps only its domain (rules care about it), names never appear.
    expect(JSON.stringify(lines)).to.not.match(/secret\.person|Secret/);
  });

  describe('bad requests get a 4xx JSON error', () => {
    it('400 for a body that is not a hook request, saying what is wrong', async () => {
      const { status, body } = await server.post(HOOK, { data: { context: {} } });
      expect(status).to.equal(400);
      expect(body.error.code).to.equal('invalid_hook_request');
      expect(body.error.details.join(' ')).to.match(/data\.userProfile/);
    });
    it('400 for invalid JSON and for a JSON array', async () => {
      expect((await server.post(HOOK, '{"data": ')).body.error).to.deep.equal({ code: 'bad_request', message: 'request body is not valid JSON, or holds a forbidden __proto__ key' });
      expect((await server.post(HOOK, '[1]')).status).to.equal(400);
    });
    it('400 for nesting deeper than 32 levels', async () => {
      const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
      const { status, body } = await server.post(HOOK, `{"data":{"userProfile":${deep}}}`);
      expect(status).to.equal(400);
      expect(body.error.message).to.match(/nested deeper/);
    });
    it('413 for a body over the limit', async () => {
      const { status, body } = await server.post(HOOK, { data: { userProfile: { big: 'x'.repeat(200_000) } } });
      expect(status).to.equal(413);
      expect(body.error.code).to.equal('payload_too_large');
    });
    it('415 for another content type', async () => {
      const { status, body } = await server.post(HOOK, 'data=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(status).to.equal(415);
      expect(body.error.code).to.equal('unsupported_media_type');
    });
    it('405 for another method, 404 for another path, both JSON', async () => {
      const wrongMethod = await fetch(`${server.url}${HOOK}`);
      expect(wrongMethod.status).to.equal(405);
      expect(wrongMethod.headers.get('allow')).to.equal('POST');
      expect(await wrongMethod.json()).to.have.nested.property('error.code', 'method_not_allowed');
      const unknown = await server.post('/nope', {});
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('not_found');
    });
  });

  it('GET /healthz and /readyz', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).to.deep.equal({ status: 'ok' });
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready).to.include({ status: 'ready', rulesetVersion: server.store.current().version });
  });
});

describe('Okta header authentication', () => {
  const SECRET = 'Basic YWRtaW46c3VwZXJzZWNyZXQ=';
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RULES_DIR: 'rules', OKTA_HOOK_AUTH_SECRET: SECRET });
  });
  after(() => server.close());

  const request = () => ssrRequest({ email: 'a@example.com' });

  it('accepts the exact secret in the authorization header', async () => {
    const { status, body } = await server.post('/registrationHook', request(), { authorization: SECRET });
    expect(status).to.equal(200);
    expect(body.commands[0].value.registration).to.equal('ALLOW');
  });

  const wrong: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['an empty header', { authorization: '' }],
    ['a secret differing in its last character', { authorization: SECRET.slice(0, -1) + 'X' }],
    ['a truncated secret', { authorization: SECRET.slice(0, -2) }],
    ['a longer secret', { authorization: SECRET + 'A' }],
    ['another case', { authorization: SECRET.toLowerCase() }],
  ];
  for (const [label, headers] of wrong) {
    it(`401 for ${label}, with no rule evaluated`, async () => {
      const before = server.logs.lines.length;
      const { status, body } = await server.post('/registrationHook', request(), headers);
      expect(status).to.equal(401);
      expect(body).to.deep.equal({ error: { code: 'unauthorized', message: 'missing or invalid hook credentials' } });
      expect(server.logs.lines.slice(before).some((l) => l.event === 'decision')).to.equal(false);
    });
  }

  it('401 when the header is sent twice, even if one copy is right', async () => {
    // Raw bytes on a socket: clients merge or refuse repeated headers, Okta's attacker would not.
    const { connect } = await import('node:net');
    const body = JSON.stringify(request());
    const url = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.end(
          `POST /registrationHook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\n` +
            `Authorization: Basic wrong\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const status = Number(raw.split(' ')[1]);
    expect(status).to.equal(401);
  });

  it('does not warn that the endpoint is open', () => {
    expect(server.logs.lines.some((l) => /ENDPOINT IS OPEN/.test(String(l.msg)))).to.equal(false);
  });
});

describe('custom auth header and open endpoint warning', () => {
  it('reads the secret from OKTA_HOOK_AUTH_HEADER, case-insensitively', async () => {
    const server = await startTestServer({ RULES_DIR: 'rules', OKTA_HOOK_AUTH_HEADER: 'X-Okta-Secret', OKTA_HOOK_AUTH_SECRET: 's3cret' });
    try {
      expect((await server.post('/registrationHook', ssrRequest({}), { 'x-okta-secret': 's3cret' })).status).to.equal(200);
      expect((await server.post('/registrationHook', ssrRequest({}), { authorization: 's3cret' })).status).to.equal(401);
    } finally {
      await server.close();
    }
  });

  it('warns loudly when no secret is configured, naming each open route', async () => {
    const open = async (env: Record<string, string>) => {
      const server = await startTestServer({ RULES_DIR: 'rules', ...env });
      try {
        const warnings = server.logs.lines.filter((l) => /HOOK ENDPOINT IS OPEN/.test(String(l.msg)));
        expect(warnings.every((l) => l.level === 40)).to.equal(true);
        return warnings.map((l) => /anyone who can reach (.*) gets answers/.exec(String(l.msg))?.[1]);
      } finally {
        await server.close();
      }
    };
    expect(await open({})).to.deep.equal(['/registrationHook and /tokenHook']);
    expect(await open({ OKTA_TOKEN_HOOK_AUTH_SECRET: 'token-hook-secret-0123456789' })).to.deep.equal(['/registrationHook']);
    expect(await open({ OKTA_HOOK_AUTH_SECRET: 'hook-secret-0123456789abcdef' })).to.deep.equal([]);
  });
});
