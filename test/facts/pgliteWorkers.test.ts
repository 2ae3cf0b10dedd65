import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pglite } from '../../src/facts/sources/Pglite.js';
import { requestOnNewConnection } from '../helpers/freshConnection.js';
import { fixture } from '../production/appServer.js';
import { ServeProcess, type LogLine } from '../production/childProcess.js';
import { SEED_COUNTER } from './support.js';

const SECRET = 'pglite-workers-secret';

/** Allows every registration and copies the seed's trace (how many runs, and when the first ran) to the profile. */
const RULES = `facts:
  seed:
    sql: SELECT count(*)::int AS runs, min(at) AS at FROM seeded
    database: SEEDED_DB
    timeout: 2s
rules:
  - id: show-seed
    description: the seed's trace, as the worker that answers reads it
    appliesTo: [self.service.registration]
    when: { var: facts.seed }
    then: { allow: true, update: { seedRuns: { var: facts.seed.runs }, seededAt: { var: facts.seed.at } } }
`;

/**
 * PGlite on a folder with WORKERS=2, in the real process: both workers start at once on a
 * folder that does not exist yet. One of them creates and seeds it; each reads its own copy. If
 * both seeded it (each in its own view of the files), they would answer with two different
 * seed moments.
 */
describe('facts: PGlite on a folder with WORKERS=2', function () {
  this.timeout(300_000);
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hook-rules-pglite-workers-'));
    writeFileSync(path.join(root, 'seed.yaml'), RULES);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('the folder is seeded once, and both workers answer from that one seed', async () => {
    const folder = path.join(root, 'data');
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2', RULES_DIR: root, SEEDED_DB: `pglite://${folder}?seed=${SEED_COUNTER}` });
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const workers = serve.lines.filter(started).map((line) => Number(line.workerPid));
      const seen: Array<{ seedRuns: unknown; seededAt: unknown }> = [];
      const answeredBy = () => new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => Number(line.pid)));
      // New connections are handed to the workers in turn; stop once both have answered.
      for (let i = 0; i < 40 && answeredBy().size < 2; i++) {
        const answer = await requestOnNewConnection(`${base}/registrationHook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: SECRET },
          body: JSON.stringify(fixture('guide-ssr-request-2022.json')),
          timeoutMs: 10_000,
        });
        expect(answer.status, answer.body).to.equal(200);
        const commands = (JSON.parse(answer.body) as { commands: Array<{ type: string; value: Record<string, unknown> }> }).commands;
        const update = commands.find((command) => command.type === 'com.okta.user.profile.update');
        expect(update, answer.body).to.not.equal(undefined);
        seen.push({ seedRuns: update!.value.seedRuns, seededAt: update!.value.seededAt });
        await new Promise((resolve) => setTimeout(resolve, 50)); // the decision line follows the answer
      }
      expect([...answeredBy()].sort()).to.deep.equal([...workers].sort());
      expect(new Set(seen.map((s) => s.seedRuns))).to.deep.equal(new Set([1]));
      const moments = new Set(seen.map((s) => s.seededAt));
      expect(moments.size, JSON.stringify(seen)).to.equal(1);
      expect(existsSync(`${folder}.lock`), 'no lock is left behind').to.equal(false);

      serve.kill('SIGTERM');
      expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
      // The folder itself holds that one seed run.
      const reopened = new Pglite('sql:T', folder, SEED_COUNTER);
      await reopened.open();
      expect(await reopened.query('SELECT count(*)::int AS runs, min(at) AS at FROM seeded', [], AbortSignal.timeout(30_000))).to.deep.equal({
        ok: true,
        value: { runs: 1, at: [...moments][0] },
      });
      await reopened.close();
    } finally {
      serve.kill('SIGKILL');
    }
  });
});
