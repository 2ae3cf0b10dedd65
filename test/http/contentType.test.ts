import { expect } from 'chai';
import net from 'node:net';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOOK = '/registrationHook';
const BODY = JSON.stringify({ requestType: 'self.service.registration', data: { userProfile: { email: 'ann@example.com' } } });

/** One raw HTTP/1.1 request, so headers are exactly as written (no length added). Returns the status. */
async function rawStatus(url: string, head: string[], body = ''): Promise<number> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.write([`POST ${HOOK} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...head, '', body].join('\r\n'));
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
}

describe('the JSON content-type check (fast path for what Okta sends, type-is for the rest)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ RULES_DIR: 'rules' });
  });
  after(() => server.close());

  const withBody = (type: string) => [`Content-Type: ${type}`, `Content-Length: ${Buffer.byteLength(BODY)}`];
  for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/json ; charset=utf-8']) {
    it(`accepts ${type}`, async () => {
      expect(await rawStatus(server.url, withBody(type), BODY)).to.equal(200);
    });
  }
  for (const type of ['application/json-patch+json', 'text/json', 'application/jsonx', 'text/plain']) {
    it(`refuses ${type} with 415`, async () => {
      expect(await rawStatus(server.url, withBody(type), BODY)).to.equal(415);
    });
  }
  it('refuses a JSON content type without a body (no length, no transfer encoding) with 415, as type-is does', async () => {
    expect(await rawStatus(server.url, ['Content-Type: application/json'])).to.equal(415);
  });
  it('accepts a chunked JSON body', async () => {
    const chunked = `${Buffer.byteLength(BODY).toString(16)}\r\n${BODY}\r\n0\r\n\r\n`;
    expect(await rawStatus(server.url, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], chunked)).to.equal(200);
  });
});
