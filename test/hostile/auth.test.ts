import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import { createLogger } from '../../src/observability/log.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { createApp } from '../../src/server/app.js';
import { RulesetStore } from '../../src/ruleset/RulesetStore.js';
import { ssrRequest } from '../helpers/fixtures.js';
import { LogCapture } from '../helpers/server.js';
import { count, runs } from './support/budget.js';
import { rawPost, send, sendRaw, type Answer } from './support/http.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';
import { answerProblems } from './support/oracle.js';

// Extends test/http/hook.test.ts (which covers no/empty/truncated/longer/lower-cased values,
// a last-character change and one repeated header): every prefix, every one-character change,
// random mutations, header-name case on the wire, repeated and joined copies, over-long values,
// control bytes, several configured secrets, and what a refusal reveals. hookAuth hashes both
// sides and compares with timingSafeEqual against every configured secret (no early exit).

const SECRET = 'Basic YWRtaW46c3VwZXJzZWNyZXQtMjAyNg==';
const UNAUTHORIZED = { error: { code: 'unauthorized', message: 'missing or invalid hook credentials' } };
const BODY = JSON.stringify(ssrRequest({ email: 'someone@example.com' }));
const RULE_IDS = ['deny-non-example-domain', 'deny-malformed-employee-number', 'accept-submitted-attributes'];

/** Every 5-character piece of the secret: none may appear in any refusal or log line. */
const SECRET_PIECES = Array.from({ length: SECRET.length - 4 }, (_, i) => SECRET.slice(i, i + 5));

function revealed(text: string): string[] {
  return [...SECRET_PIECES.filter((piece) => text.includes(piece)), ...RULE_IDS.filter((id) => text.includes(id))];
}

function expectRefused(answer: Answer, label: string): void {
  expect(answer.status, label).to.equal(401);
  expect(answerProblems(answer), label).to.deep.equal([]);
  expect(JSON.parse(answer.text), label).to.deep.equal(UNAUTHORIZED);
  expect(revealed(answer.text + JSON.stringify(answer.headers)), label).to.deep.equal([]);
}

describe('authentication attacks (real server, one configured secret)', function () {
  this.timeout(60_000);
  let hostile: HostileServer;
  const post = (authorization: string | undefined, body = BODY, type = 'application/json') =>
    send(hostile.url, { headers: { 'content-type': type, ...(authorization === undefined ? {} : { authorization }) }, body });

  before(async () => {
    hostile = await startHostileServer({ OKTA_HOOK_AUTH_SECRET: SECRET });
  });
  after(async () => {
    // The secret, and the near-misses sent below, never reach the log.
    expect(revealed(JSON.stringify(hostile.server.logs.lines))).to.deep.equal([]);
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it('the right secret gets through (the control for everything below)', async () => {
    const answer = await post(SECRET);
    expect(answer.status).to.equal(200);
    expect(answerProblems(answer)).to.deep.equal([]);
  });

  it('refuses every proper prefix of the secret, the empty one included', async () => {
    for (let length = 0; length < SECRET.length; length++) expectRefused(await post(SECRET.slice(0, length)), `prefix ${length}`);
  });

  it('refuses the secret with any one character changed, at every position', async () => {
    for (let i = 0; i < SECRET.length; i++) {
      const changed = SECRET.slice(0, i) + (SECRET[i] === 'A' ? 'B' : 'A') + SECRET.slice(i + 1);
      expectRefused(await post(changed), `position ${i}`);
    }
  });

  it('refuses random mutations and random values', async () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const mutation = fc.oneof(
      printable,
      fc.tuple(fc.nat(SECRET.length), printable).map(([at, extra]) => SECRET.slice(0, at) + extra + SECRET.slice(at)), // insertion
      fc.tuple(fc.nat(SECRET.length - 1), fc.integer({ min: 1, max: 5 })).map(([at, n]) => SECRET.slice(0, at) + SECRET.slice(at + n)), // deletion
      fc.nat(SECRET.length - 1).map((at) => SECRET.slice(0, at) + SECRET[at]!.toLowerCase() + SECRET.slice(at + 1).toUpperCase()), // case
      printable.map((p) => `Bearer ${p}`),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (value) => {
        count('auth: mutated secrets');
        const answer = await post(value);
        if (value === SECRET) expect(answer.status).to.equal(200);
        else expectRefused(answer, value);
      }),
      { numRuns: runs(60) },
    );
  });

  it('refuses schemes and wrappers around the secret', async () => {
    const secretOnly = SECRET.replace(/^Basic /, '');
    for (const value of [secretOnly, `Bearer ${secretOnly}`, `basic ${secretOnly}`, `Basic  ${secretOnly}`, `Basic\t${secretOnly}`, `"${SECRET}"`, `${SECRET},`, `${SECRET};`, `${SECRET}\u00a0`]) {
      expectRefused(await post(value), JSON.stringify(value));
    }
  });

  it('header names are case-insensitive on the wire; the value is not', async () => {
    for (const name of ['AUTHORIZATION', 'aUtHoRiZaTiOn', 'Authorization']) {
      const right = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', `${name}: ${SECRET}`, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
      expect(right.status, name).to.equal(200);
      const wrong = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', `${name}: ${SECRET.toUpperCase()}`, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
      expectRefused(wrong, name);
    }
  });

  it('refuses repeated headers, even when every copy is right, and copies joined by a comma', async () => {
    const copies: string[][] = [
      [SECRET, SECRET],
      ['', SECRET],
      [SECRET, ''],
      [SECRET, SECRET, SECRET],
    ];
    for (const values of copies) {
      const lines = values.map((v) => `Authorization: ${v}`);
      const answer = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', ...lines, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
      expectRefused(answer, JSON.stringify(values));
    }
    expectRefused(await post(`${SECRET}, ${SECRET}`), 'comma-joined');
  });

  it('over-long values: refused as 401 under the header limit, 431 from Node above it', async () => {
    expectRefused(await post(SECRET + 'A'.repeat(8 * 1024)), '8 KB');
    expectRefused(await post('A'.repeat(12 * 1024) + SECRET), '12 KB');
    const huge = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', `Authorization: ${SECRET}${'A'.repeat(64 * 1024)}`, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
    expect(huge.status).to.equal(431);
    expect(answerProblems(huge, { protocol: true })).to.deep.equal([]);
    expect(revealed(huge.raw)).to.deep.equal([]);
  });

  it('control and non-ASCII bytes: refused by Node (400) or by the check (401), never let through', async () => {
    for (const value of [`${SECRET}\u0000`, `${SECRET.slice(0, 10)}\u0000${SECRET.slice(10)}`, `${SECRET}\u0007`, `${SECRET}\u00ff`, `\u00e9${SECRET}`]) {
      const answer = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', `Authorization: ${value}`, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
      expect([400, 401], JSON.stringify(value)).to.include(answer.status);
      expect(answerProblems(answer, { protocol: true })).to.deep.equal([]);
    }
  });

  it('leading and trailing blanks are not part of a header value (HTTP), so they do not matter', async () => {
    const answer = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', `Authorization: \t ${SECRET} \t`, `Content-Length: ${Buffer.byteLength(BODY)}`], BODY));
    expect(answer.status).to.equal(200);
  });

  it('checks credentials before reading the body: no parser or rule behaviour is observable without them', async () => {
    expectRefused(await post(undefined, '{"data": '), 'invalid JSON');
    expectRefused(await post(undefined, 'x=1', 'application/x-www-form-urlencoded'), 'wrong type');
    expectRefused(await post(undefined, `{"a":"${'x'.repeat(300_000)}"}`), 'too large');
    expectRefused(await post(undefined, '{"__proto__":{"polluted":1}}'), '__proto__');
    expectRefused(await post('wrong', JSON.stringify(ssrRequest({ email: 'x@notexample.com' }))), 'a request a rule would deny');
    const chunked = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: Array.from({ length: 40 }, () => 'x'.repeat(16 * 1024)) });
    expectRefused(chunked, 'chunked, too large');
    const decisions = hostile.server.logs.lines.filter((l) => l.event === 'decision').length;
    expect(decisions).to.be.greaterThan(0); // only the authenticated requests above were decided
  });
});

describe('authentication with several configured secrets (rotation)', function () {
  this.timeout(30_000);
  const OLD = 'old-secret-0000-aaaa';
  const NEW = 'new-secret-9999-zzzz';
  let url: string;
  let server: http.Server;
  const logs = new LogCapture();

  before(async () => {
    const loaded = await loadHookRuleset('rules');
    if (!loaded.ok) throw new Error('default rules do not load');
    const app = createApp({
      config: { authHeader: 'authorization', authSecrets: [OLD, NEW], bodyLimit: '100kb', onRuleError: 'deny' },
      store: new RulesetStore(loaded.ruleset),
      logger: createLogger('info', logs),
    });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts each configured secret and nothing near either', async () => {
    const post = (authorization: string) => send(url, { headers: { 'content-type': 'application/json', authorization }, body: BODY });
    for (const secret of [OLD, NEW]) expect((await post(secret)).status, secret).to.equal(200);
    for (const near of [OLD + NEW, NEW + OLD, `${OLD},${NEW}`, OLD.slice(0, -1), NEW.slice(1), OLD.replace('a', 'b'), NEW.replace(/z$/, 'y'), OLD.slice(0, 10) + NEW.slice(10)]) {
      const answer = await post(near);
      expect(answer.status, near).to.equal(401);
      expect(answer.text).to.not.include('secret');
    }
    expect(JSON.stringify(logs.lines)).to.not.match(/old-secret|new-secret/);
  });
});
