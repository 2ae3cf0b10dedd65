import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { requestOnNewConnection } from '../helpers/freshConnection.js';
import { k8sSecretFolder } from '../helpers/k8sSecret.js';
import { ServeProcess, type LogLine } from '../production/childProcess.js';
import { LogSink } from '../production/appServer.js';

const BODY = JSON.stringify({ data: { userProfile: { email: 'rosario@example.com', firstName: 'Rosario', lastName: 'Jones' } } });

/** A hook call on a new connection (so calls spread over cluster workers); its status. */
async function hook(base: string, secret: string): Promise<number> {
  const response = await requestOnNewConnection(`${base}/registrationHook`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: secret }, body: BODY });
  return response.status;
}

/** Waits (bounded) until `test` holds for some line logged so far. */
async function logged(lines: Array<Record<string, unknown>>, test: (line: Record<string, unknown>) => boolean, what: string, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (lines.filter(test).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not logged within 5 s: ${what}\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
}

describe('hook secrets read again from their files', function () {
  this.timeout(30_000);
  let tmp: string;
  let server: RunningServer | undefined;
  let sink: LogSink;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'secrets-'));
    sink = new LogSink();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(tmp, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>) => {
    const config = loadConfig({ RULES_DIR: path.join(PACKAGE_ROOT, 'rules'), HOST: '127.0.0.1', PORT: '0', RULES_WATCH_DEBOUNCE_MS: '50', ...env });
    server = await startServer(config, createLogger({ level: 'debug' }, sink));
    await server.secretsReloader?.ready;
    return server;
  };
  const reloadedTo = (count: number) => (line: Record<string, unknown>) => line.msg === 'secrets reloaded' && line.count === count;

  it('follows a Kubernetes Secret update (the ..data symlink swap): add the new secret, then remove the old', async () => {
    const mount = path.join(tmp, 'hook-secret');
    const secret = await k8sSecretFolder(mount, { secrets: 'old-secret\n' });
    const { url } = await start({ OKTA_HOOK_AUTH_SECRETS_FILE: path.join(mount, 'secrets') });
    expect([await hook(url, 'old-secret'), await hook(url, 'new-secret')]).to.deep.equal([200, 401]);

    await secret.update({ secrets: 'old-secret\nnew-secret\n' });
    await logged(sink.lines, reloadedTo(2), 'secrets reloaded, 2');
    expect([await hook(url, 'old-secret'), await hook(url, 'new-secret')]).to.deep.equal([200, 200]);

    await secret.update({ secrets: 'new-secret\n' });
    await logged(sink.lines, reloadedTo(1), 'secrets reloaded, 1');
    expect([await hook(url, 'old-secret'), await hook(url, 'new-secret')]).to.deep.equal([401, 200]);

    const text = JSON.stringify(sink.lines);
    expect(text).not.to.contain('old-secret');
    expect(text).not.to.contain('new-secret');
  });

  it('follows OKTA_HOOK_AUTH_SECRET_FILE replaced by an editor (a new file renamed over it), alongside a fixed OKTA_HOOK_AUTH_SECRET', async () => {
    const file = path.join(tmp, 'secret');
    await writeFile(file, 'first\n');
    const { url } = await start({ OKTA_HOOK_AUTH_SECRET_FILE: file, OKTA_HOOK_AUTH_SECRET: 'fixed' });
    await writeFile(`${file}.tmp`, 'second\n');
    const { rename } = await import('node:fs/promises');
    await rename(`${file}.tmp`, file);
    await logged(sink.lines, reloadedTo(2), 'secrets reloaded, 2');
    expect([await hook(url, 'first'), await hook(url, 'second'), await hook(url, 'fixed')]).to.deep.equal([401, 200, 200]);
  });

  it('follows a path through a symlinked folder re-pointed to another (the old folder left in place)', async () => {
    const { mkdir, symlink, rename } = await import('node:fs/promises');
    for (const [name, value] of [['a', 'alpha\n'], ['b', 'beta\n']] as const) {
      await mkdir(path.join(tmp, name));
      await writeFile(path.join(tmp, name, 'secrets'), value);
    }
    await symlink('a', path.join(tmp, 'current'));
    const { url } = await start({ OKTA_HOOK_AUTH_SECRETS_FILE: path.join(tmp, 'current', 'secrets') });
    expect(await hook(url, 'alpha')).to.equal(200);
    await symlink('b', path.join(tmp, 'current.tmp'));
    await rename(path.join(tmp, 'current.tmp'), path.join(tmp, 'current'));
    await logged(sink.lines, reloadedTo(1), 'secrets reloaded, 1');
    expect([await hook(url, 'alpha'), await hook(url, 'beta')]).to.deep.equal([401, 200]);
  });

  it('keeps the old set when the new one cannot be read (empty file, missing key), logs it without a secret, then takes the fixed file', async () => {
    const mount = path.join(tmp, 'hook-secret');
    const secret = await k8sSecretFolder(mount, { secrets: 'kept-secret\n' });
    const { url } = await start({ OKTA_HOOK_AUTH_SECRETS_FILE: path.join(mount, 'secrets') });

    await secret.update({ secrets: '\n\n' }); // no secret in it
    await logged(sink.lines, (line) => line.event === 'secrets-reload-failed', 'the failed reload');
    const failed = sink.lines.find((line) => line.event === 'secrets-reload-failed')!;
    expect(failed).to.include({ level: 50, count: 1, msg: 'secrets reload failed; still accepting the 1 current secret' });
    expect(failed.problems).to.deep.equal(['OKTA_HOOK_AUTH_SECRETS_FILE: the file holds no secret']);
    expect(await hook(url, 'kept-secret')).to.equal(200);

    await secret.update({ other: 'x' }); // the key is gone: its symlink dangles
    await logged(sink.lines, (line) => line.event === 'secrets-reload-failed' && String(line.problems).includes('ENOENT'), 'the missing key');
    expect(await hook(url, 'kept-secret')).to.equal(200);

    await secret.update({ secrets: 'next-secret\n' });
    await logged(sink.lines, reloadedTo(1), 'secrets reloaded, 1');
    expect([await hook(url, 'kept-secret'), await hook(url, 'next-secret')]).to.deep.equal([401, 200]);
    expect(JSON.stringify(sink.lines)).not.to.match(/kept-secret|next-secret/);
  });

  it('swaps the set whole: a secret in every version is never refused while the files change under load', async () => {
    const mount = path.join(tmp, 'hook-secret');
    const secret = await k8sSecretFolder(mount, { secrets: 'stays\nb\n' });
    const { url } = await start({ OKTA_HOOK_AUTH_SECRETS_FILE: path.join(mount, 'secrets') });
    let going = true;
    const statuses: number[] = [];
    const load = (async () => {
      while (going) statuses.push(await hook(url, 'stays'));
    })();
    for (let i = 0; i < 20; i++) {
      await secret.update({ secrets: i % 2 === 0 ? 'c\nstays\n' : 'stays\nb\nd\n' });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    going = false;
    await load;
    expect(sink.lines.filter((line) => line.msg === 'secrets reloaded').length).to.be.greaterThan(5);
    expect(statuses.length).to.be.greaterThan(20);
    expect(statuses.every((status) => status === 200), JSON.stringify(statuses)).to.equal(true);
  });
});

describe('hook secrets in the real process', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(async () => (tmp = await mkdtemp(path.join(os.tmpdir(), 'secrets-'))));
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('SIGHUP reads the secret files again, alongside the rules', async () => {
    const file = path.join(tmp, 'secrets');
    await writeFile(file, 'one\n');
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRETS_FILE: file });
    try {
      await serve.url();
      await serve.waitFor((line) => line.msg === 'watching hook secret files for changes', 'the watch');
      serve.kill('SIGHUP');
      const line = await serve.waitFor((l) => l.event === 'secrets-unchanged', 'secrets read on SIGHUP');
      expect(line).to.include({ reason: 'SIGHUP', count: 1 });
      await serve.waitFor((l) => l.msg === 'reloading rules', 'the rules reload');
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('with WORKERS=2, each worker picks up a Secret update', async () => {
    const mount = path.join(tmp, 'hook-secret');
    const secret = await k8sSecretFolder(mount, { secrets: 'old-secret\n' });
    const serve = new ServeProcess({ OKTA_HOOK_AUTH_SECRETS_FILE: path.join(mount, 'secrets'), WORKERS: '2', RULES_WATCH_DEBOUNCE_MS: '50' });
    const watching = (line: LogLine) => line.msg === 'watching hook secret files for changes';
    const reloaded = (line: LogLine) => line.msg === 'secrets reloaded' && line.count === 1;
    try {
      const base = await serve.url();
      await serve.waitFor(() => serve.lines.filter(watching).length >= 2, 'both workers watching');
      await secret.update({ secrets: 'new-secret\n' });
      await serve.waitFor(() => new Set(serve.lines.filter(reloaded).map((line) => line.pid)).size >= 2, 'both workers reloaded');
      // Not alternated: node:cluster deals connections out in turn, so new/old pairs would each stay on one worker.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await hook(base, 'new-secret'));
      for (let i = 0; i < 6; i++) statuses.push(await hook(base, 'old-secret'));
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 401]);
      await serve.waitFor(() => serve.lines.filter((line) => line.event === 'decision').length >= 6, 'six decisions');
      expect(new Set(serve.lines.filter((line) => line.event === 'decision').map((line) => line.pid)).size).to.equal(2);
      expect(serve.raw.join('\n')).not.to.match(/old-secret|new-secret/);
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
  });
});
