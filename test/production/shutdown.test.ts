import http from 'node:http';
import { expect } from 'chai';
import { fixture } from './appServer.js';
import { burstThenSignal, tally } from './burst.js';
import { ServeProcess } from './childProcess.js';

const SECRET = 'shutdown-test-secret';
const BODY = JSON.stringify(fixture('guide-ssr-request-2022.json'));

/** A hook request whose body is sent in two halves: it stays in flight until `finish` is called. */
function startSlowRequest(base: string, agent?: http.Agent) {
  const url = new URL('/registrationHook', base);
  const request = http.request(url, {
    method: 'POST',
    agent: agent ?? false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), authorization: SECRET },
  });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    request.on('error', reject);
  });
  response.catch(() => undefined);
  const half = Math.floor(BODY.length / 2);
  const sent = new Promise<void>((resolve) => request.write(BODY.slice(0, half), () => resolve()));
  return { sent, response, finish: () => request.end(BODY.slice(half)) };
}

function get(base: string, path: string, agent?: http.Agent) {
  return new Promise<{ status: number; socket: import('node:net').Socket }>((resolve, reject) => {
    const request = http.get(new URL(path, base), { agent: agent ?? false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: request.socket! }));
    });
    request.on('error', reject);
  });
}

describe('graceful shutdown of the real process', function () {
  it('on SIGTERM: readiness 503, in-flight requests finish, idle keep-alive sockets close, exit 0', async () => {
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, SHUTDOWN_DELAY_MS: '2000', SHUTDOWN_TIMEOUT_MS: '10000' });
    try {
      const base = await serve.url();
      const keepAlive = new http.Agent({ keepAlive: true });
      const idle = await get(base, '/healthz', keepAlive);
      expect(idle.status).to.equal(200);
      const idleClosed = new Promise<void>((resolve) => idle.socket.once('close', () => resolve()));
      expect((await get(base, '/readyz')).status).to.equal(200);

      const slow = startSlowRequest(base);
      await slow.sent;
      serve.kill('SIGTERM');
      await serve.waitFor((line) => line.msg === 'stopping: readiness is 503', 'the stop');
      expect((await get(base, '/readyz')).status).to.equal(503);

      slow.finish();
      const answer = await slow.response;
      expect(answer.status).to.equal(200);
      expect(answer.headers.connection).to.equal('close');
      expect(JSON.parse(answer.body)).to.have.property('commands');

      await idleClosed; // closed by the server: the agent never closes it on its own
      const exit = await serve.exited;
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(serve.lines.find((line) => line.msg === 'stopped')).to.include({ cut: 0 });
      const decisions = serve.lines.filter((line) => line.event === 'decision');
      expect(decisions).to.have.length(1);
      keepAlive.destroy();
      let refused = false;
      await get(base, '/healthz').catch(() => (refused = true));
      expect(refused).to.equal(true);
    } finally {
      serve.kill('SIGKILL');
    }
  });

  it('on SIGINT: cuts what is still open after SHUTDOWN_TIMEOUT_MS and exits', async () => {
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, SHUTDOWN_TIMEOUT_MS: '300' });
    try {
      const base = await serve.url();
      // On a connection the server has already taken (keep-alive), so the stop cannot race its accept.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      expect((await get(base, '/healthz', agent)).status).to.equal(200);
      const stuck = startSlowRequest(base, agent); // its body never completes
      await stuck.sent;
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the server read the headers
      serve.kill('SIGINT');
      const exit = await serve.exited;
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(serve.lines.find((line) => line.msg === 'shutdown timeout: cut the connections still open')).to.include({ cut: 1 });
      let failed = false;
      await stuck.response.catch(() => (failed = true));
      expect(failed).to.equal(true);
    } finally {
      serve.kill('SIGKILL');
    }
  });
});

describe('SIGTERM during a burst of new connections (issue #11)', function () {
  // Each trial starts a process; a reset in any trial fails the test.
  this.timeout(120_000);
  const TRIALS = 4;
  it(`answers every one of 40 requests sent just before the signal (${TRIALS} trials, default settings)`, async () => {
    for (let trial = 1; trial <= TRIALS; trial++) {
      const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET });
      try {
        const base = await serve.url();
        const results = await burstThenSignal(serve, base, { secret: SECRET });
        expect(tally(results), `trial ${trial}`).to.equal('40 × 200');
        expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
      } finally {
        serve.kill('SIGKILL');
      }
    }
  });
});
