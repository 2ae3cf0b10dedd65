import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { requestOnNewConnection } from '../helpers/freshConnection.js';
import { fixture } from './appServer.js';
import { burstThenSignal, tally } from './burst.js';
import { ROOT, ServeProcess, type LogLine } from './childProcess.js';

const SECRET = 'cluster-test-secret';
const BODY = JSON.stringify(fixture('guide-ssr-request-2022.json'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WORKERS=2 (node:cluster) in the real process', function () {
  // Starting a replacement worker takes seconds on a busy machine; the request loop is bounded.
  this.timeout(60_000);
  it('replaces a worker killed with SIGKILL while requests keep being answered, and stops all on SIGTERM', async () => {
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2' });
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const [victim, survivor] = serve.lines.filter(started).map((line) => Number(line.workerPid));
      expect(victim).to.be.a('number').and.not.equal(survivor);

      const results: Array<{ status: number; afterDeathLogged: boolean }> = [];
      let deathLogged = false;
      const post = async () => {
        const afterDeathLogged = deathLogged;
        // A new connection each time (fetch would keep one socket, to a worker that may be the one
        // killed). A connection node:cluster hands to the worker as it dies is never answered: Okta
        // gives up after 3 s and retries, and so does this client (status 0), before the death is logged.
        const status = await requestOnNewConnection(`${base}/registrationHook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: SECRET },
          body: BODY,
          timeoutMs: 3_000,
        }).then((r) => r.status, () => 0);
        results.push({ status, afterDeathLogged });
      };
      for (let i = 0; i < 6; i++) await post();
      expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
      // A scrape reaches one worker, which answers for the whole cluster.
      const scraped = await (await fetch(`${base}/metrics`)).text();
      const decisions = [...scraped.matchAll(/^okta_hook_decisions_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(decisions).to.equal(6);
      expect(scraped).to.match(/^okta_hook_ruleset_info\{version="\w+"\} 2$/m); // two workers on that version

      process.kill(victim!, 'SIGKILL');
      const died = serve.waitFor((line) => line.msg === 'worker died; starting a replacement', 'the death').then((line) => ((deathLogged = true), line));
      const replaced = serve.waitFor((line) => started(line) && ![victim, survivor].includes(Number(line.workerPid)), 'a replacement');
      let replacement: number | undefined;
      void replaced.then((line) => (replacement = Number(line.workerPid)));
      const answeredBy = () => new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => line.pid));
      // Requests go on all along; stop once the replacement has answered one. Bounded by time, not
      // by a count of requests: how long a new worker takes to start depends on the machine.
      const giveUpAt = Date.now() + 20_000;
      while (Date.now() < giveUpAt && !(replacement !== undefined && answeredBy().has(replacement))) await post();

      const death = await died;
      expect(death).to.include({ workerPid: victim, signal: 'SIGKILL' });
      expect(replacement).to.be.a('number');
      expect(answeredBy().has(replacement!), 'the replacement answers').to.equal(true);
      expect(answeredBy().has(survivor!)).to.equal(true);
      expect(alive(victim!)).to.equal(false);
      const afterDeath = results.filter((r) => r.afterDeathLogged);
      expect(afterDeath.length).to.be.greaterThan(0);
      expect(afterDeath.every((r) => r.status === 200), JSON.stringify(results)).to.equal(true);

      serve.kill('SIGTERM');
      expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
      expect(alive(survivor!) || alive(replacement!)).to.equal(false);
    } finally {
      serve.kill('SIGKILL');
    }
  });

  it('refuses to start the workers on an invalid ruleset (exit 3)', async () => {
    const serve = new ServeProcess({ WORKERS: '2', RULES_DIR: '/nonexistent-rules-dir' });
    expect((await serve.exited).code).to.equal(3);
    expect(serve.lines.some((line) => line.msg === 'worker started')).to.equal(false);
  });

  it('reloads every worker on SIGHUP to the primary, logs once what each serves, and keeps serving', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-cluster-rules-'));
    cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2', RULES_DIR: dir });
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const workers = serve.lines.filter(started).map((line) => Number(line.workerPid));
      const before = serve.lines.find((line) => line.msg === 'rules loaded')!.rulesetVersion;

      // example.com (the fixture's domain) is allowed; after the edit only example.org is.
      const file = path.join(dir, 'registration.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"!=": [{ var: emailDomain }, example.com]', '"!=": [{ var: emailDomain }, example.org]'));
      process.kill(serve.child.pid!, 'SIGHUP');
      const reloaded = await serve.waitFor((line) => line.event === 'rules-reload-workers', 'the reload line');
      const results = reloaded.workers as Array<{ workerPid: number; status: string; rulesetVersion: string }>;
      expect(results.map((r) => r.workerPid).sort()).to.deep.equal([...workers].sort());
      expect(results.map((r) => r.status)).to.deep.equal(['swapped', 'swapped']);
      const after = results[0]!.rulesetVersion;
      expect(after).to.be.a('string').and.not.equal(before);
      expect(results[1]!.rulesetVersion).to.equal(after);
      expect(reloaded.msg).to.equal(`every worker now serves ${after}`);
      expect(serve.lines.filter((line) => line.event === 'rules-reload-workers')).to.have.length(1);
      // One reload, counted once for the cluster.
      const scraped = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
      expect(scraped).to.match(/^okta_hook_ruleset_reloads_total\{result="success"\} 1$/m);

      // Requests on new connections alternate between the workers: both answer with the new rules.
      for (let i = 0; i < 10; i++) {
        const response = await fetch(`${base}/registrationHook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: SECRET, connection: 'close' },
          body: BODY,
        });
        const answer = (await response.json()) as { error?: unknown };
        expect(answer.error, 'example.com is denied now').to.not.equal(undefined);
      }
      const decisions = () => serve.lines.filter((line) => line.event === 'decision');
      await serve.waitFor(() => decisions().length >= 10, 'ten decision lines');
      expect(decisions().map((line) => line.rulesetVersion)).to.deep.equal(Array(10).fill(after));
      expect([...new Set(decisions().map((line) => Number(line.pid)))].sort()).to.deep.equal([...workers].sort());
      expect(serve.child.exitCode).to.equal(null);

      serve.kill('SIGTERM');
      expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
    } finally {
      serve.kill('SIGKILL');
    }
  });

  it('a rejected SIGHUP reload: the primary says every worker still serves the old rules, and /metrics counts one failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-cluster-rules-'));
    cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2', RULES_DIR: dir });
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const before = String(serve.lines.find((line) => line.msg === 'rules loaded')!.rulesetVersion);

      writeFileSync(path.join(dir, 'broken.yaml'), 'rules:\n  - id: broken\n    description: d\n    appliesTo: [self.service.registration]\n    when: { Matches: [{ var: email }, x] }\n    then: { allow: true }\n');
      process.kill(serve.child.pid!, 'SIGHUP');
      const reloaded = await serve.waitFor((line) => line.event === 'rules-reload-workers', 'the reload line');
      const results = reloaded.workers as Array<{ status: string; rulesetVersion: string; errors: number }>;
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
      expect(results.map((r) => r.rulesetVersion)).to.deep.equal([before, before]);
      expect(reloaded.msg).to.equal(`rules reload rejected (1 error); every worker still serves ${before}`);
      expect(reloaded.level).to.equal(40);

      // One reload, one failure: the primary counts it once, not once per worker.
      const scraped = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
      expect(scraped).to.match(/^okta_hook_ruleset_reloads_total\{result="failure"\} 1$/m);
      expect(scraped).not.to.match(/^okta_hook_ruleset_reloads_total\{result="success"\}/m);
      expect(scraped).to.match(/^okta_hook_ruleset_load_errors 1$/m);

      serve.kill('SIGTERM');
      expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
    } finally {
      serve.kill('SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal} to the primary: every one of 40 requests sent just before it is answered, and all exit 0`, async () => {
      const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRET: SECRET, WORKERS: '2' });
      try {
        const base = await serve.url();
        const started = (line: LogLine) => line.msg === 'worker started';
        await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
        const workers = serve.lines.filter(started).map((line) => Number(line.workerPid));
        const results = await burstThenSignal(serve, base, { secret: SECRET, signal });
        expect(tally(results)).to.equal('40 × 200');
        expect(await serve.exited).to.deep.equal({ code: 0, signal: null });
        expect(workers.filter(alive)).to.deep.equal([]);
        expect(serve.lines.filter((line) => line.msg === 'stopped').map((line) => line.pid).sort()).to.deep.equal([...workers].sort());
      } finally {
        serve.kill('SIGKILL');
      }
    });
  }
});
