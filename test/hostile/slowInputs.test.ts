import { expect } from 'chai';
import { count } from './support/budget.js';
import { BUSY_RULES } from './support/busyRules.js';
import { send } from './support/http.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';
import { SLOW_PLACES, SLOW_SHAPES } from './support/slowShapes.js';

// Inputs that backtracking scans take seconds on (the email masking of every decision line
// did, on `a@a` + 60,000 dashes), sent to the real server in this process: the server's work
// is this process's CPU time, read with process.cpuUsage around each request. A request costs
// a few milliseconds; the bound is generous, for a noisy machine, and far below the seconds
// a quadratic scan takes. A shape over it is sent once more and the lesser figure kept: a
// collection or a neighbour's load can land on one request, while a slow scan is slow twice.
const CPU_BOUND_MS = 300;
/** Okta's longest login. */
const LOGGED_VALUE_MAX = 100;

async function cpuMsOf(fn: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const servers: Array<[string, Record<string, string>, Record<string, string> | undefined]> = [
  ['the default rules', {}, undefined],
  ['every operator on request values', { ON_RULE_ERROR: 'skip' }, { 'busy.yaml': BUSY_RULES }],
];

for (const [label, env, files] of servers) {
  describe(`slow-scan inputs, answered in well under ${CPU_BOUND_MS} ms of CPU each: ${label}`, function () {
    this.timeout(120_000);
    let hostile: HostileServer;
    before(async () => {
      hostile = await startHostileServer({ LOG_LEVEL: 'info', ...env }, files);
      for (let i = 0; i < 5; i++) await hostile.expectAnswer(SLOW_PLACES[0]![1]('warm@example.com')); // compiled once, not in the first figure
    });
    after(async () => {
      await hostile.checkAfterwards();
      await hostile.stop();
    });

    for (const [place, body] of SLOW_PLACES) {
      it(`each shape as the ${place}`, async () => {
        const slow: string[] = [];
        for (const [shape, text] of SLOW_SHAPES) {
          count('slow-scan inputs');
          let ms = await cpuMsOf(() => hostile.expectAnswer(body(text)));
          if (ms >= CPU_BOUND_MS) ms = Math.min(ms, await cpuMsOf(() => hostile.expectAnswer(body(text))));
          if (ms >= CPU_BOUND_MS) slow.push(`${shape}: ${Math.round(ms)} ms of CPU`);
        }
        expect(slow).to.deep.equal([]);
      });
    }

    it('/healthz answers while every shape is in flight', async () => {
      const inFlight = SLOW_SHAPES.flatMap(([, text]) => SLOW_PLACES.map(([, body]) => hostile.expectAnswer(body(text))));
      const started = performance.now();
      const health = await send(hostile.url, { method: 'GET', path: '/healthz' });
      const waitedMs = performance.now() - started;
      expect(health.status).to.equal(200);
      await Promise.all(inFlight);
      // Wall time, so loose: a blocked event loop made it wait for every scan (many seconds).
      expect(waitedMs).to.be.below(2_000);
    });

    it(`the decision line carries at most ${LOGGED_VALUE_MAX} characters of a login, then a marker`, async () => {
      const login = `${'a'.repeat(50)}@${'b'.repeat(200)}.example.com`;
      await hostile.expectAnswer(SLOW_PLACES[0]![1](login));
      const line = hostile.server.logs.lines.filter((l) => l.event === 'decision').at(-1) as { subject: { login: string } };
      const logged = line.subject.login;
      expect(logged).to.match(/…\[truncated, \d+ chars\]$/);
      expect(logged.length).to.be.below(LOGGED_VALUE_MAX + 30);
      expect(logged.startsWith('***@bbb')).to.equal(true); // masked before it is cut: the local part never shows
      for (const [, text] of SLOW_SHAPES.slice(0, 4)) {
        await hostile.expectAnswer(SLOW_PLACES[0]![1](text));
        const last = hostile.server.logs.lines.filter((l) => l.event === 'decision').at(-1) as { subject: { login: string } };
        expect(last.subject.login.length).to.be.below(LOGGED_VALUE_MAX + 30);
      }
    });
  });
}
