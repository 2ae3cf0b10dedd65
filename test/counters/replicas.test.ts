import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAIN, ROOT, ServeProcess, type LogLine } from '../production/childProcess.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { perIpRules } from './perIpRules.js';

const RULES = perIpRules();

let seq = 0;
async function register(base: string, ip: string, secret = 'Basic replicas'): Promise<string> {
  const response = await fetch(`${base}/registrationHook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret, connection: 'close' },
    body: JSON.stringify({ eventId: `replica-${++seq}`, requestType: 'self.service.registration', data: { context: { request: { ipAddress: ip } }, userProfile: { email: 'a@example.com' } } }),
  });
  const body = (await response.json()) as { debugContext: { decision: string } };
  return body.debugContext.decision;
}

describe('counters across service processes', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let rules: { dir: string; remove(): Promise<void> };
  const processes: ServeProcess[] = [];

  before(async () => {
    redis = await startRedis();
    rules = await tempRulesDir({ 'rules.yaml': RULES });
  });
  after(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await redis.remove();
    await rules.remove();
  });

  it('two service processes on one Redis count as one: the 6th request is denied whichever process gets it', async () => {
    const env = { RULES_DIR: rules.dir, STATE_URL: redis.url, STATE_KEY_SALT: 'a-salt-shared-by-both-processes', OKTA_HOOK_AUTH_SECRET: 'Basic replicas' };
    const a = new ServeProcess(env);
    const b = new ServeProcess(env);
    processes.push(a, b);
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await register(i % 2 === 0 ? urlA : urlB, '203.0.113.20'));
    expect(answers).to.deep.equal(['ALLOW', 'ALLOW', 'ALLOW', 'ALLOW', 'ALLOW', 'DENY']);
    expect(await register(urlA, '203.0.113.20')).to.equal('DENY');
    expect(await register(urlB, '203.0.113.21')).to.equal('ALLOW');
  });

  it('production refuses WORKERS > 1 with counters and no STATE_URL (exit 2)', () => {
    const env = { PATH: process.env.PATH ?? '', RULES_DIR: rules.dir, WORKERS: '2', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', OKTA_HOOK_AUTH_SECRET: 'Basic x' };
    const refused = spawnSync(process.execPath, [MAIN, 'serve'], { cwd: ROOT, env: { ...env, NODE_ENV: 'production' }, encoding: 'utf8', timeout: 20_000 });
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.match(/WORKERS=2 with counters \(signupsPerIp\) needs STATE_URL/);
  });

  it('production with WORKERS > 1 and no STATE_URL refuses a reload that adds a counter, as it refuses such a start; the old rules keep serving', async () => {
    const plain = await tempRulesDir({ 'registration.yaml': readFileSync(path.join(ROOT, 'rules', 'registration.yaml'), 'utf8') });
    const serve = new ServeProcess({ RULES_DIR: plain.dir, WORKERS: '2', NODE_ENV: 'production', OKTA_HOOK_AUTH_SECRET: 'Basic x' });
    processes.push(serve);
    try {
      const base = await serve.url();
      const started = (line: LogLine) => line.msg === 'worker started';
      await serve.waitFor((line) => started(line) && serve.lines.filter(started).length >= 2, 'two workers');
      const before = String(serve.lines.find((line) => line.msg === 'rules loaded')!.rulesetVersion);

      writeFileSync(path.join(plain.dir, 'counters.yaml'), RULES);
      process.kill(serve.child.pid!, 'SIGHUP');
      const reloaded = await serve.waitFor((line) => line.event === 'rules-reload-workers', 'the reload line');
      expect((reloaded.workers as Array<{ status: string }>).map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
      expect(reloaded.msg).to.equal(`rules reload rejected (1 error); every worker still serves ${before}`);
      // Each worker logs why, at the counter's definition (file:line:column).
      const errors = serve.lines.filter((line) => line.event === 'rules-reload-error').map((line) => String(line.at));
      expect(errors).to.have.length(2);
      for (const at of errors) expect(at).to.match(/counters\.yaml:3:3: counter "signupsPerIp": WORKERS=2 with counters needs STATE_URL/);

      const scraped = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
      expect(scraped).to.match(/^okta_hook_ruleset_reloads_total\{result="failure"\} 1$/m);
      expect(scraped).to.match(new RegExp(`^okta_hook_ruleset_info\\{version="${before}"\\} 2$`, 'm'));
      // The old rules answer: no counter, however many sign-ups come from one address.
      const answers: string[] = [];
      for (let i = 0; i < 7; i++) answers.push(await register(base, '203.0.113.30', 'Basic x'));
      expect(answers).to.deep.equal(Array(7).fill('ALLOW'));
      expect(new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => line.rulesetVersion))).to.deep.equal(new Set([before]));
      serve.kill('SIGTERM');
      expect((await serve.exited).code).to.equal(0);
    } finally {
      serve.kill('SIGKILL');
      await plain.remove();
    }
  });

  it('outside production, WORKERS > 1 without STATE_URL starts with a warning that each worker counts on its own', async () => {
    const serve = new ServeProcess({ RULES_DIR: rules.dir, WORKERS: '2', OKTA_HOOK_AUTH_SECRET: 'Basic x' });
    processes.push(serve);
    const warning = await serve.waitFor((line) => typeof line.msg === 'string' && line.msg.startsWith('counters are kept in memory, per process'), 'the warning');
    expect(warning.workers).to.equal(2);
    serve.kill('SIGTERM');
    await serve.exited;
  });

  it('production refuses STATE_URL without STATE_KEY_SALT', () => {
    const result = spawnSync(process.execPath, [MAIN, 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', RULES_DIR: rules.dir, NODE_ENV: 'production', STATE_URL: redis.url, OKTA_HOOK_AUTH_SECRET: 'Basic x', LOG_FORMAT: 'json' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/STATE_KEY_SALT: required in production with STATE_URL/);
  });
});
