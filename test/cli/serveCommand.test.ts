import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { eventually, register } from '../helpers/hookClient.js';
import { CLI, runCli } from '../helpers/runCli.js';
import { denyDomainRules, tempRules } from '../helpers/tempRules.js';

describe('hook-rules serve (child process)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('reloads on SIGHUP without RULES_WATCH, logs the new version, stops on SIGTERM', async () => {
    const t = await tempRules({ 'a.yaml': denyDomainRules('one.test') });
    cleanups.push(t.cleanup);
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', RULES_DIR: t.dir, LOG_LEVEL: 'info', RULES_WATCH: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const url = await eventually(async () => /"url":"(http:\/\/[^"]+)\/registrationHook"/.exec(out)?.[1], 'the server to listen');
    expect((await register(url, 'x@one.test')).decision).to.equal('DENY');

    await t.write('a.yaml', denyDomainRules('two.test'));
    const loaded = await loadHookRuleset(t.dir);
    const next = loaded.ok ? loaded.ruleset.version : '';
    child.kill('SIGHUP');
    await eventually(async () => ((await register(url, 'x@probe.test')).version === next ? true : undefined), 'the SIGHUP reload');
    expect((await register(url, 'x@two.test')).decision).to.equal('DENY');
    expect((await register(url, 'x@one.test')).decision).to.equal('ALLOW');
    expect(out).to.include(`rules reloaded: now serving ${next}`);

    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });

  it('refuses to start on invalid rules: exit 3 with file:line:column', async () => {
    const t = await tempRules({ 'a.yaml': 'rules: [{ id: x }]\n' });
    cleanups.push(t.cleanup);
    const result = await runCli(['serve'], { env: { PORT: '0', HOST: '127.0.0.1', RULES_DIR: t.dir } });
    expect(result.code).to.equal(3);
    expect(result.stderr).to.match(/a\.yaml:1:\d+: rule "x" \(\S+a\.yaml:1:\d+\): missing required property/);
  });
});
