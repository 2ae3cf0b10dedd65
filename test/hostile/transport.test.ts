import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../src/server/middleware/jsonBody.js';
import { fixture } from '../helpers/fixtures.js';
import { count, runs } from './support/budget.js';
import { rawPost, send, sendRaw } from './support/http.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';
import { answerProblems, depthOf, expectedStatus } from './support/oracle.js';
import { withPath } from './support/mutations.js';

// Limits and framing: sizes, nesting, content types, encodings, chunks, methods, paths.
// Each limit has its own status, checked at its exact boundary.

const LIMIT = 100 * 1024; // BODY_LIMIT's default, 100kb, in bytes
const SSR = fixture<Record<string, unknown>>('guide-ssr-request-2022.json');
const SSR_TEXT = JSON.stringify(SSR);

/** A registration whose email is padded so the whole body is exactly `bytes` long. */
function bodyOfSize(bytes: number, pad = 'x'): string {
  const probe = JSON.stringify(withPath(SSR, ['data', 'userProfile', 'nickName'], ''));
  const room = bytes - Buffer.byteLength(probe);
  const unit = Buffer.byteLength(pad);
  const text = pad.repeat(Math.floor(room / unit)) + 'y'.repeat(room % unit);
  return JSON.stringify(withPath(SSR, ['data', 'userProfile', 'nickName'], text));
}

/** Nested arrays and objects, `depth` levels deep (a scalar at the bottom). */
function nested(depth: number, shapes: boolean[]): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = shapes[i % shapes.length] ? [value] : { k: value };
  return value;
}

function expectAcceptable(answer: Parameters<typeof answerProblems>[0], options?: Parameters<typeof answerProblems>[1]): void {
  expect(answerProblems(answer, options), answer.text.slice(0, 300)).to.deep.equal([]);
}

describe('hostile transport: limits, framing, types and methods (real server)', function () {
  this.timeout(60_000);
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer({});
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  describe('413: body too large', () => {
    it('accepts a body of exactly the limit and refuses one byte more', async () => {
      const atLimit = bodyOfSize(LIMIT);
      expect(Buffer.byteLength(atLimit)).to.equal(LIMIT);
      await hostile.expectAnswer(atLimit, 200);
      const over = await hostile.expectAnswer(bodyOfSize(LIMIT + 1), 413);
      expect(JSON.parse(over.text).error.code).to.equal('payload_too_large');
    });

    it('counts bytes, not characters (multi-byte strings around the limit)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: LIMIT - 2000, max: LIMIT + 2000 }), fc.constantFrom('x', 'é', '😀', '\u202e', '\u0000'), async (size, pad) => {
          count('body sizes around the limit');
          const text = bodyOfSize(size, pad);
          await hostile.expectAnswer(text, Buffer.byteLength(text) > LIMIT ? 413 : 200);
        }),
        { numRuns: runs(15) },
      );
    });

    it('any size from empty to twice the limit', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 * LIMIT }), async (size) => {
          count('body sizes up to twice the limit');
          const text = JSON.stringify(withPath(SSR, ['data', 'userProfile', 'email'], 'a'.repeat(size) + '@example.com'));
          await hostile.expectAnswer(text, Buffer.byteLength(text) > LIMIT ? 413 : 200);
        }),
        { numRuns: runs(10) },
      );
    });

    it('refuses a declared Content-Length over the limit before reading the body', async () => {
      const answer = await sendRaw(hostile.url, rawPost(['Content-Type: application/json', 'Content-Length: 99999999999'], '{'));
      expect(answer.status).to.equal(413);
      expectAcceptable(answer);
    });

    it('refuses a chunked body that grows past the limit', async () => {
      const chunks = Array.from({ length: 30 }, () => 'x'.repeat(8 * 1024));
      const answer = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: ['{"data":{"userProfile":{"a":"', ...chunks, '"}}}'] });
      expect(answer.status).to.equal(413);
      expectAcceptable(answer);
    });

    it('refuses a gzip bomb (the limit applies to the inflated bytes)', async () => {
      const bomb = gzipSync(Buffer.from(`{"data":{"userProfile":{"a":"${'x'.repeat(20_000_000)}"}}}`));
      expect(bomb.length).to.be.lessThan(LIMIT);
      const answer = await send(hostile.url, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
      expect(answer.status).to.equal(413);
      expectAcceptable(answer);
    });
  });

  describe('400: nesting too deep', () => {
    it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, async () => {
      // root (1) → data (2) → userProfile (3) → deep: levels 4…
      const at = (levels: number) => JSON.stringify({ data: { userProfile: { deep: nested(levels - 3, [false]) } } });
      expect(depthOf(JSON.parse(at(MAX_JSON_DEPTH)))).to.equal(MAX_JSON_DEPTH);
      await hostile.expectAnswer(at(MAX_JSON_DEPTH), 200);
      const deep = await hostile.expectAnswer(at(MAX_JSON_DEPTH + 1), 400);
      expect(JSON.parse(deep.text).error.message).to.match(/nested deeper than 32 levels/);
    });

    it('any depth and mix of arrays and objects', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 80 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.constantFrom('userProfile', 'userProfileUpdate'), async (depth, shapes, where) => {
          count('nesting depths');
          await hostile.expectAnswer(JSON.stringify({ data: { [where]: { deep: nested(depth, shapes) } } }));
        }),
        { numRuns: runs(30) },
      );
    });

    it('refuses 50,000 levels (as much as fits in the body limit) without overflowing the stack', async () => {
      const arrays = `{"data":{"userProfile":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}}`;
      expect((await hostile.expectAnswer(arrays, 400)).text).to.match(/nested deeper/);
      const objects = `{"data":{"userProfile":${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}}}`;
      expect((await hostile.expectAnswer(objects, 400)).text).to.match(/nested deeper/);
      // Unclosed: not JSON at all.
      await hostile.expectAnswer('['.repeat(90_000), 400);
    });
  });

  describe('bodies that are not JSON, wrong content types, encodings, chunks, empty', () => {
    it('random text and random bytes as application/json', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))), async (bytes) => {
          count('non-JSON bodies');
          const answer = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: bytes });
          expectAcceptable(answer);
          // The server decodes UTF-8 as Buffer#toString does, and drops a leading BOM.
          expect(answer.status).to.equal(expectedStatus(bytes.toString('utf8').replace(/^\uFEFF/, '')));
        }),
        { numRuns: runs(60) },
      );
    });

    it('a leading byte-order mark is dropped; invalid UTF-8 becomes U+FFFD', async () => {
      await hostile.expectAnswer(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SSR_TEXT)]), 200);
      // The default progressive-profile rules echo the update, which shows what was decoded.
      const invalid = Buffer.concat([Buffer.from('{"data":{"userProfileUpdate":{"nickName":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}')]);
      const answer = await hostile.expectAnswer(invalid, 200);
      expect(JSON.parse(answer.text).commands[0].value).to.deep.equal({ nickName: '\uFFFD\uFFFD\uFFFD' });
    });

    const contentTypes: Array<[string | undefined, number]> = [
      ['application/json', 200],
      ['application/json; charset=utf-8', 200],
      ['Application/JSON', 200],
      ['application/json; charset=utf-16', 200], // the charset is ignored: bodies are read as UTF-8
      ['application/json;;;', 200],
      ['text/plain', 415],
      ['text/json', 415],
      ['application/x-www-form-urlencoded', 415],
      ['multipart/form-data; boundary=x', 415],
      ['application/vnd.okta+json', 415],
      ['application/jsonp', 415],
      ['application/xml', 415],
      ['*/*', 415],
      ['', 415],
      [undefined, 415],
    ];
    for (const [type, status] of contentTypes) {
      it(`Content-Type ${type === undefined ? '(none)' : JSON.stringify(type)} → ${status}`, async () => {
        const answer = await send(hostile.url, { headers: type === undefined ? {} : { 'content-type': type }, body: SSR_TEXT });
        expectAcceptable(answer);
        expect(answer.status).to.equal(status);
        if (status === 415) expect(JSON.parse(answer.text).error.code).to.equal('unsupported_media_type');
      });
    }

    it('random content types: a valid answer, 200 only for JSON', async () => {
      const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
      await fc.assert(
        fc.asyncProperty(fc.oneof(printable, printable.map((s) => `application/${s}`), printable.map((s) => `application/json;${s}`)), async (type) => {
          count('random content types');
          const answer = await send(hostile.url, { headers: { 'content-type': type }, body: SSR_TEXT });
          expectAcceptable(answer);
          expect(answer.status).to.be.oneOf([200, 400, 415]);
        }),
        { numRuns: runs(40) },
      );
    });

    it('compressed bodies: gzip, deflate and brotli are read; corrupt or unknown encodings are 4xx', async () => {
      const body = Buffer.from(SSR_TEXT);
      for (const [encoding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)]] as const) {
        const answer = await send(hostile.url, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: bytes });
        expect(answer.status, encoding).to.equal(200);
        expectAcceptable(answer);
      }
      for (const [encoding, bytes, status] of [['gzip', Buffer.from('not gzip'), 400], ['gzip', gzipSync(body).subarray(0, 20), 400], ['br', Buffer.from('garbage!'), 400], ['zstd', body, 415], ['gzip, gzip', body, 415]] as const) {
        const answer = await send(hostile.url, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: bytes });
        expect(answer.status, encoding).to.equal(status);
        expectAcceptable(answer);
      }
    });

    it('chunked bodies split anywhere decide exactly as the whole body', async () => {
      const whole = JSON.parse((await hostile.expectAnswer(SSR_TEXT, 200)).text);
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: SSR_TEXT.length - 1 }), { maxLength: 12 }), async (cuts) => {
          count('chunkings');
          const points = [0, ...cuts.sort((a, b) => a - b), SSR_TEXT.length];
          const chunks = points.slice(1).map((end, i) => SSR_TEXT.slice(points[i], end));
          const answer = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: chunks });
          expectAcceptable(answer);
          expect(answer.status).to.equal(200);
          expect(JSON.parse(answer.text).commands).to.deep.equal(whole.commands);
        }),
        { numRuns: runs(20) },
      );
    });

    it('malformed framing is refused by the HTTP parser with a 4xx and no body', async () => {
      const framings = [
        rawPost(['Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'), // bad chunk size
        rawPost(['Content-Type: application/json', 'Transfer-Encoding: chunked', 'Content-Length: 3'], `5\r\n{"a":\r\n0\r\n\r\n`), // smuggling shape
        rawPost(['Content-Type: application/json', 'Content-Length: 5', 'Content-Length: 6'], '{"a":1'),
        Buffer.from('FOO /registrationHook HTTP/1.1\r\nHost: x\r\n\r\n'),
        Buffer.from('POST /registrationHook HTTP/9.9\r\nHost: x\r\n\r\n'),
        Buffer.from('\x00\x01\x02 garbage\r\n\r\n'),
        rawPost([`X-Big: ${'a'.repeat(64 * 1024)}`], ''),
      ];
      for (const bytes of framings) {
        const answer = await sendRaw(hostile.url, bytes);
        expect(answer.status, JSON.stringify(bytes.subarray(0, 60).toString())).to.be.within(400, 499);
        expectAcceptable(answer, { protocol: true });
      }
    });

    it('empty bodies', async () => {
      const json = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: '' });
      expect(json.status).to.equal(400);
      expect(JSON.parse(json.text).error.code).to.equal('invalid_hook_request');
      expectAcceptable(json);
      for (const body of ['   ', '\r\n', '{}', '[]', '""', 'null', '0']) expect((await hostile.expectAnswer(body)).status, JSON.stringify(body)).to.equal(400);
      const none = await send(hostile.url, {});
      expect(none.status).to.equal(415);
      expectAcceptable(none);
      const chunkedEmpty = await send(hostile.url, { headers: { 'content-type': 'application/json' }, body: [] });
      expect(chunkedEmpty.status).to.equal(400);
      expectAcceptable(chunkedEmpty);
    });
  });

  describe('405: wrong method, 404: unknown path', () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND', 'PURGE', 'SEARCH', 'LOCK']) {
      it(`${method} /registrationHook → 405 with Allow: POST`, async () => {
        const answer = await send(hostile.url, { method, headers: { 'content-type': 'application/json' }, body: SSR_TEXT });
        expect(answer.status).to.equal(405);
        expect(answer.headers.allow).to.equal('POST');
        expectAcceptable(answer);
        expect(JSON.parse(answer.text).error.code).to.equal('method_not_allowed');
      });
    }

    it('HEAD → 405 without a body; OPTIONS → 200 with Allow: POST and no body', async () => {
      const head = await send(hostile.url, { method: 'HEAD' });
      expect(head.status).to.equal(405);
      expectAcceptable(head, { head: true });
      const options = await send(hostile.url, { method: 'OPTIONS' });
      expect([options.status, options.headers.allow, options.text]).to.deep.equal([200, 'POST', '']);
    });

    it('CONNECT is not served: the connection closes without an answer', async () => {
      const answer = await sendRaw(hostile.url, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n', 2000);
      expect(answer.raw).to.equal('');
    });

    it('random paths and methods → 404 (or 405 on a known path), always JSON', async () => {
      const segment = fc.oneof(fc.webSegment(), fc.constantFrom('..', '%2e%2e', '%zz', '%00', 'registrationHook', 'healthz', '~', '%2F', ';x'));
      // The health routes answer their own JSON, not Okta's: they are tested in test/http.
      const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`).filter((p) => !/^\/(healthz|readyz)\/?$/i.test(p));
      await fc.assert(
        fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), async (target, method) => {
          count('random paths');
          const answer = await send(hostile.url, { method, path: target, headers: { 'content-type': 'application/json' }, body: SSR_TEXT });
          expectAcceptable(answer);
          const known = /^\/registrationhook\/?$/i.test(target);
          if (!known) expect(answer.status, target).to.equal(404);
        }),
        { numRuns: runs(40) },
      );
    });
  });
});
