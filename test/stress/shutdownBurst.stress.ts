// Issue #11 §1 at length: the rolling-deploy trial (40 clients each send one hook request, the
// stop signal a few ms later) repeated, single process and WORKERS=2, with SIGTERM and SIGINT.
// test/production/shutdown.test.ts runs a few trials in npm test; this runs many.
import { expect } from 'chai';
import { burstThenSignal, tally } from '../production/burst.js';
import { ServeProcess, type LogLine } from '../production/childProcess.js';
import { recordNote } from './support/figures.js';

const SECRET = 'burst-secret-0123456789';
const TRIALS = Number(process.env.SHUTDOWN_TRIALS ?? '20');

describe('stop signal during a burst of new connections, repeated', function () {
  this.timeout(30 * 60_000);
  for (const workers of ['1', '2']) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const trials = signal === 'SIGTERM' ? TRIALS : Math.ceil(TRIALS / 4);
      it(`WORKERS=${workers}, ${signal}: every client answered in each of ${trials} trials, delays 0–10 ms`, async () => {
        const failures: string[] = [];
        for (let trial = 0; trial < trials; trial++) {
          const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: workers });
          try {
            const base = await serve.url();
            if (workers !== '1') {
              const started = (line: LogLine) => line.msg === 'worker started';
              await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
            }
            const results = await burstThenSignal(serve, base, { secret: SECRET, signal, afterMs: trial % 11 });
            const outcome = tally(results);
            const exit = await serve.exited;
            if (outcome !== '40 × 200' || exit.code !== 0) failures.push(`trial ${trial + 1}: ${outcome}, exit ${exit.code ?? exit.signal}`);
          } finally {
            serve.kill('SIGKILL');
          }
        }
        recordNote(`shutdown burst WORKERS=${workers} ${signal}`, `${trials - failures.length}/${trials} trials with all 40 answered`);
        expect(failures).to.deep.equal([]);
      });
    }
  }
});
