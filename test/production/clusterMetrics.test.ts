import { expect } from 'chai';
import { fixture } from './appServer.js';
import { ServeProcess, type LogLine } from './childProcess.js';

const SECRET = 'cluster-metrics-secret';
const BODY = JSON.stringify(fixture('guide-ssr-request-2022.json'));

/** The sum of every sample of `name` (all label sets) in a Prometheus text. */
function total(text: string, name: string, filter = ''): number {
  return [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].filter((m) => m[1]!.includes(filter)).reduce((sum, m) => sum + Number(m[2]), 0);
}

/**
 * GET /metrics, bounded: a connection the primary handed to a stopped worker never gets an
 * answer, so such a try is given up after `perTryMs` and made again (on another worker).
 */
async function scrape(base: string, perTryMs = 5_000): Promise<{ status: number; text: string; ms: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = Date.now();
    try {
      const response = await fetch(`${base}/metrics`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(perTryMs) });
      return { status: response.status, text: await response.text(), ms: Date.now() - started };
    } catch {
      // landed on the stopped worker: try again
    }
  }
  throw new Error('no scrape answered');
}

describe('cluster metrics when a worker dies or hangs (issue #16)', function () {
  this.timeout(90_000);
  it('keeps counters through a kill -9, and answers in time past a SIGSTOPped worker, saying which did not answer', async () => {
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2' });
    const stopped: number[] = [];
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const [victim, survivor] = serve.lines.filter(started).map((line) => Number(line.workerPid));
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${base}/registrationHook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: SECRET, connection: 'close' },
          body: BODY,
        });
        expect(response.status).to.equal(200);
      }
      const before = await scrape(base);
      expect(before.status).to.equal(200);
      expect(total(before.text, 'okta_hook_decisions_total')).to.equal(20);
      expect(total(before.text, 'okta_hook_http_requests_total', 'route="/registrationHook"')).to.equal(20);
      const decidedBy = new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => line.pid));
      expect(decidedBy.has(victim!), 'the victim decided some').to.equal(true);

      // kill -9: the victim's last totals stay in the sums (before, they vanished: 20 → 10).
      process.kill(victim!, 'SIGKILL');
      await serve.waitFor((line) => line.msg === 'worker died; starting a replacement', 'the death');
      const afterKill = await scrape(base);
      expect(afterKill.status).to.equal(200);
      expect(total(afterKill.text, 'okta_hook_decisions_total')).to.equal(20);
      expect(total(afterKill.text, 'okta_hook_http_requests_total', 'route="/registrationHook"')).to.equal(20);
      expect(total(afterKill.text, 'okta_hook_decision_duration_seconds_count')).to.equal(20);

      // SIGSTOP one worker: scrapes still answer, in time, with the others' metrics.
      const replacement = Number((await serve.waitFor((line) => started(line) && ![victim, survivor].includes(Number(line.workerPid)), 'a replacement')).workerPid);
      process.kill(survivor!, 'SIGSTOP');
      stopped.push(survivor!);
      const duringStop = await scrape(base);
      expect(duringStop.status).to.equal(200);
      expect(duringStop.ms).to.be.below(4_000); // Prometheus's default scrape timeout is 10 s
      expect(duringStop.text).to.match(new RegExp(`^okta_hook_cluster_worker_answered\\{worker_pid="${survivor}"\\} 0$`, 'm'));
      expect(duringStop.text).to.match(new RegExp(`^okta_hook_cluster_worker_answered\\{worker_pid="${replacement}"\\} 1$`, 'm'));
      expect(total(duringStop.text, 'okta_hook_decisions_total')).to.equal(20); // the stopped worker's with its last totals
      expect(total(duringStop.text, 'okta_hook_ruleset_info')).to.equal(1); // gauges: the workers that answered

      process.kill(survivor!, 'SIGCONT');
      stopped.pop();
      const resumed = await scrape(base);
      expect(resumed.text).to.match(new RegExp(`^okta_hook_cluster_worker_answered\\{worker_pid="${survivor}"\\} 1$`, 'm'));
      expect(total(resumed.text, 'okta_hook_decisions_total')).to.equal(20);
      console.log(`      scrape with a stopped worker: ${duringStop.ms} ms`);

      serve.kill('SIGTERM');
      expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
    } finally {
      for (const pid of stopped) process.kill(pid, 'SIGCONT');
      serve.kill('SIGKILL');
    }
  });
});
