import { expect } from 'chai';
import net from 'node:net';
import path from 'node:path';
import { ppRequest, ssrRequest } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ROOT } from './childProcess.js';
import { samples } from '../helpers/metricSamples.js';

// What an operator sees of requests that go wrong or go slowly (issue #16, section 4): a
// histogram of whole requests, one log line and one count per rejection, a 408 at the
// documented 10 s, wrong methods counted under their route, request text masked in rule errors.

const SECRET = 'Basic c2VjcmV0LWhvb2stdmFsdWU=';

function hostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

/** Sends `head` (and then nothing) on a raw connection; resolves with what came back and when the server closed it. */
function sendAndWait(url: string, head: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(hostPort(url), () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
  });
}

function rejections(server: TestServer): Array<Record<string, unknown>> {
  return server.logs.lines.filter((line) => line.event === 'request-rejected');
}

describe('requests an operator can see (issue #16, section 4)', function () {
  this.timeout(40_000);
  let server: TestServer;
  const scrape = async () => samples(await (await fetch(`${server.url}/metrics`)).text());

  beforeEach(async () => {
    server = await startTestServer({ RULES_DIR: path.join(ROOT, 'rules'), OKTA_HOOK_AUTH_SECRET: SECRET, BODY_LIMIT: '16kb' });
  });
  afterEach(() => server.close());

  it('times each request from its arrival to its answer, in buckets around Okta\'s 3 s', async () => {
    // The body arrives 1.2 s after the headers: the decision itself stays sub-millisecond.
    const body = JSON.stringify(ssrRequest({ email: 'ann@example.com' }));
    const { host, port } = hostPort(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host, port }, () => {
        socket.write(`POST /registrationHook HTTP/1.1\r\nHost: x\r\nAuthorization: ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
        setTimeout(() => socket.write(body), 1_200);
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(answer).to.match(/^HTTP\/1\.1 200/);
    const m = await scrape();
    const bucket = (le: string) => m.get(`okta_hook_http_request_duration_seconds_bucket{le="${le}",route="/registrationHook"}`);
    expect(bucket('1')).to.equal(0);
    expect(bucket('2')).to.equal(1);
    for (const le of ['3', '5', '+Inf']) expect(bucket(le)).to.equal(1);
    expect(m.get('okta_hook_http_request_duration_seconds_count{route="/registrationHook"}')).to.equal(1);
  });

  it('logs each 400, 401, 413 and 415 once, with status and reason, and never the body or the secret', async () => {
    const marker = 'Zebulon-Quartz';
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const sent: Array<[number, string]> = [
      [(await post({ authorization: `${SECRET}x` }, JSON.stringify(ssrRequest({ firstName: marker })))).status, 'unauthorized'],
      [(await post({ authorization: SECRET }, `{"${marker}": `)).status, 'bad_request'],
      [(await post({ authorization: SECRET }, JSON.stringify({ [marker]: 1 }))).status, 'invalid_hook_request'],
      [(await post({ authorization: SECRET }, JSON.stringify({ filler: marker.repeat(4000) }))).status, 'payload_too_large'],
      [(await post({ authorization: SECRET, 'content-type': 'text/plain' }, marker)).status, 'unsupported_media_type'],
    ];
    expect(sent.map(([status]) => status)).to.deep.equal([401, 400, 400, 413, 415]);
    const lines = rejections(server);
    expect(lines.map((line) => [line.status, line.reason])).to.deep.equal(sent);
    for (const line of lines) expect(line).to.include({ level: 40, method: 'POST', route: '/registrationHook' });
    const everything = JSON.stringify(server.logs.lines);
    expect(everything).to.not.include(marker);
    expect(everything).to.not.include('c2VjcmV0');
    const m = await scrape();
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="POST",status="413"}')).to.equal(1);
  });

  it('answers 408 to a request still arriving after 10 s, within a second of it, and logs and counts it once', async () => {
    const [slowBody, slowHeaders] = await Promise.all([
      sendAndWait(server.url, `POST /registrationHook HTTP/1.1\r\nHost: x\r\nAuthorization: ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"eventId":`),
      sendAndWait(server.url, 'POST /registrationHook HTTP/1.1\r\nHost: x\r\n'),
    ]);
    for (const seen of [slowBody, slowHeaders]) {
      expect(seen.text).to.match(/^HTTP\/1\.1 408/);
      expect(seen.ms).to.be.within(9_500, 12_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // the app's side of the cut connection settles
    const lines = rejections(server).filter((line) => line.status === 408);
    expect(lines.map((line) => line.route).sort()).to.deep.equal(['/registrationHook', 'unmatched']);
    for (const line of lines) expect(line.reason).to.equal('request_timeout');
    const m = await scrape();
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="POST",status="408"}')).to.equal(1);
    expect(m.get('okta_hook_http_requests_total{route="unmatched",method="other",status="408"}')).to.equal(1);
    expect(m.get('okta_hook_http_request_duration_seconds_bucket{le="5",route="/registrationHook"}')).to.equal(0);
    expect(m.get('okta_hook_http_request_duration_seconds_count{route="/registrationHook"}')).to.equal(1);
  });

  it('counts another method on the hook path under the hook route, not as unmatched', async () => {
    expect((await fetch(`${server.url}/registrationHook`)).status).to.equal(405);
    expect((await fetch(`${server.url}/registrationHook`, { method: 'PUT', body: '{}' })).status).to.equal(405);
    const m = await scrape();
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="GET",status="405"}')).to.equal(1);
    expect(m.get('okta_hook_http_requests_total{route="/registrationHook",method="other",status="405"}')).to.equal(1);
    expect([...m.keys()].filter((key) => key.includes('route="unmatched"'))).to.deep.equal([]);
  });

  it('masks an attribute name taken from the request in the rule-error line', async () => {
    // The default rules echo a progressive-profile update (updateFrom: submitted); an object value fails it.
    const response = await server.post('/registrationHook', ppRequest({ 'Jolene Smith': { nested: true } }), { authorization: SECRET });
    expect(response.status).to.equal(200);
    const failed = server.logs.lines.filter((line) => line.msg === 'rule evaluation failed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.err).to.equal('attribute "***" got an object; a value is text, a number, true/false, or a list of them');
    expect(JSON.stringify(server.logs.lines)).to.not.include('Jolene');
  });
});
