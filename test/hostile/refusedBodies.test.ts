import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';

// A client still sending a body the server refused must read the refusal. Closing a socket
// with unread bytes makes the kernel reset it, and a client that writes its request before it
// reads (most do) then loses the answer. Over a real socket, the body sent in pieces as a
// network delivers it; the client reads only once it has written everything.

const SECRET = 'refused-bodies-secret';
const TWO_MB = Buffer.alloc(2 * 1024 * 1024, 'x');

interface Upload {
  /** The answer's bytes as read (may be empty). */
  raw: string;
  /** A write or read error the client met, if any. */
  error?: string;
  /** Bytes of body the client managed to hand to the socket before it failed or finished. */
  written: number;
}

/** POST `body` with these header lines, in `pieces` writes `pauseMs` apart, then read until the server closes. */
function upload(url: string, head: string[], body: Buffer, pieces: number, pauseMs: number): Promise<Upload> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const result: Upload = { raw: '', written: 0 };
    const socket = connect(Number(port), hostname, async () => {
      socket.pause(); // nothing is read while the request is being sent
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      const size = Math.ceil(body.length / pieces);
      for (let at = 0; at < body.length && !socket.destroyed; at += size) {
        const piece = body.subarray(at, at + size);
        const ok = await new Promise<boolean>((done) => socket.write(piece, (error) => done(!error)));
        if (!ok) break;
        result.written += piece.length;
        await sleep(pauseMs);
      }
      socket.resume();
      // Read until the answer's JSON is complete, then close our side.
      socket.on('data', () => Buffer.concat(chunks).toString('latin1').endsWith('}}') && socket.end());
    });
    socket.setTimeout(15_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (result.error ??= error.code ?? error.message));
    socket.on('close', () => resolve({ ...result, raw: Buffer.concat(chunks).toString('latin1') }));
  });
}

function request(connection: string, extra: string[] = [], version = 'HTTP/1.1'): string[] {
  return [`POST /registrationHook ${version}`, 'Host: localhost', 'Content-Type: application/json', `Content-Length: ${TWO_MB.length}`, `Connection: ${connection}`, ...extra];
}

function expectRefusal(answer: Upload, status: number, code: string, label: string): void {
  expect(answer.raw, `${label}: ${answer.error ?? 'no error'}`).to.match(new RegExp(`^HTTP/1\\.[01] ${status} `));
  const body = answer.raw.slice(answer.raw.indexOf('\r\n\r\n') + 4);
  expect(JSON.parse(body), label).to.deep.include({ error: { code, message: JSON.parse(body).error.message } });
}

describe('a client sending a body the server refused reads the refusal (real socket)', function () {
  this.timeout(120_000);
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer({ OKTA_HOOK_AUTH_SECRET: SECRET });
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it('every 2 MB upload reads the 413 JSON answer: Connection: close, HTTP/1.0 and keep-alive', async () => {
    const kinds: Array<[string, string[]]> = [
      ['Connection: close', request('close', [`Authorization: ${SECRET}`])],
      ['HTTP/1.0', request('close', [`Authorization: ${SECRET}`], 'HTTP/1.0')],
      ['keep-alive', request('keep-alive', [`Authorization: ${SECRET}`])],
    ];
    for (let round = 0; round < 4; round++) {
      for (const [label, head] of kinds) {
        const answer = await upload(hostile.url, head, TWO_MB, 8, 10);
        expectRefusal(answer, 413, 'payload_too_large', `${label}, round ${round}`);
        expect(answer.written, label).to.equal(TWO_MB.length);
      }
    }
  });

  it('a 2 MB upload without credentials reads its 401', async () => {
    for (let round = 0; round < 3; round++) {
      const answer = await upload(hostile.url, request('close'), TWO_MB, 8, 10);
      expectRefusal(answer, 401, 'unauthorized', `round ${round}`);
    }
  });

  it('a refused body is read and dropped only so far: past the bound the connection closes', async () => {
    // 40 MB announced: more than is ever read for a refusal, so the answer comes at once, with Connection: close.
    const huge = request('keep-alive', [`Authorization: ${SECRET}`]).map((line) => (line.startsWith('Content-Length') ? `Content-Length: ${40 * 1024 * 1024}` : line));
    const announced = await upload(hostile.url, huge, Buffer.alloc(64 * 1024, 'x'), 1, 0);
    expectRefusal(announced, 413, 'payload_too_large', 'announced 40 MB');
    expect(announced.raw).to.match(/\r\nConnection: close\r\n/i);
    // Chunked, with no end in sight: the server stops reading after its bound and closes,
    // so the client cannot hand it all 40 MB.
    const endless = [`POST /registrationHook HTTP/1.1`, 'Host: localhost', 'Content-Type: application/json', 'Transfer-Encoding: chunked', `Authorization: ${SECRET}`];
    const chunk = Buffer.concat([Buffer.from(`${(256 * 1024).toString(16)}\r\n`), Buffer.alloc(256 * 1024, 'x'), Buffer.from('\r\n')]);
    const forty = Buffer.concat(Array.from({ length: 160 }, () => chunk));
    const cut = await upload(hostile.url, endless, forty, 160, 0);
    expect(cut.written).to.be.below(forty.length);
  });
});
