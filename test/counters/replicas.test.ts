import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { MAIN, ROOT, ServeProcess } from '../production/childProcess.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { perIpRules } from './perIpRules.js';

const RULES = perIpRules();

let seq = 0;
async function register(base: string, ip: string): Promise<string> {
  const response = await fetch(`${base}/registrationHook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic replicas' },
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
