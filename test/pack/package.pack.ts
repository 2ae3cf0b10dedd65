import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { freePort } from '../helpers/freePort.js';
import { eventually } from '../helpers/hookClient.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a fresh shell: none of the npm_* variables of the `npm run` that started mocha. */
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^INIT_CWD$/i.test(name)));

/** Runs a program to its end, killed after `timeoutMs` (installs reach the registry for dependencies). */
function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...CLEAN_ENV, ...options.env }, timeout: options.timeoutMs ?? 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/**
 * What a new user does: `npm pack` (its prepack builds dist/), the tarball installed in an empty
 * folder, then the CLI run from there on the rules it ships and on a repository `hook-rules init`
 * makes. Slow (two installs, which need the registry for dependencies): `npm run test:pack`.
 */
describe('the packed package, installed in an empty folder', () => {
  let work: string;
  let tarball: string;
  let tool: string;
  let cli: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-pack-'));
    const manifest = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PACKAGE_ROOT, timeoutMs: 180_000 });
    expect(packed.code, packed.stderr).to.equal(0);
    tarball = path.join(work, `${manifest.name}-${manifest.version}.tgz`);
    expect(existsSync(tarball), tarball).to.equal(true);
    tool = path.join(work, 'tool');
    await mkdir(tool);
    await writeFile(path.join(tool, 'package.json'), '{ "name": "pack-check", "private": true }\n');
    const installed = await run('npm', [...NPM_INSTALL, tarball], { cwd: tool, timeoutMs: 240_000 });
    expect(installed.code, installed.stderr).to.equal(0);
    cli = path.join(tool, 'node_modules', '.bin', 'hook-rules');
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships what the CLI and the service read at run time, and no sources, tests or source maps', async () => {
    const listed = await run('tar', ['-tzf', tarball], { cwd: work });
    const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of [
      'dist/cli/main.js',
      'schemas/rules.schema.json',
      'schemas/rules-test.schema.json',
      'schemas/okta-request.schema.json',
      'preview/static/index.html',
      'preview/static/app.js',
      'preview/samples/samples.json',
      'rules/registration.yaml',
      'rules/testdata/okta-guide-ssr-request-2022.json',
      'templates/init/dot-github/workflows/rules.yml',
      'templates/init/package.json.tmpl',
      'docs/rules-repository.md',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      expect(files, needed).to.include(needed);
    }
    expect(files.filter((f) => /^(src|test|bench|deploy|examples|\.ci)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).to.deep.equal([]);
  });

  it('validate, test and eval run from the install on the rules it ships', async () => {
    const rules = path.join(tool, 'node_modules', 'okta-hook-rules', 'rules');
    const validate = await run(cli, ['validate', rules], { cwd: tool });
    expect(validate.code, validate.stderr).to.equal(0);
    expect(validate.stdout).to.match(/^ok: 3 rules in 2 files/);
    const test = await run(cli, ['test', rules, '--min-coverage', '100', '--quiet'], { cwd: tool });
    expect(test.code, test.stdout + test.stderr).to.equal(0);
    expect(test.stdout).to.match(/Rule tests: \d+ passed, 0 failed/);
    await writeFile(path.join(tool, 'request.json'), '{"profile": {"email": "jo@notexample.com"}}\n');
    const evaluated = await run(cli, ['eval', 'request.json', '--dir', rules], { cwd: tool });
    expect(evaluated.code, evaluated.stderr).to.equal(0);
    expect(evaluated.stdout).to.include('"registration": "DENY"');
    expect(evaluated.stdout).to.include('Decision: DENY, decided by rule deny-non-example-domain');
  });

  it('serves from the install, its preview page included', async () => {
    const port = await freePort();
    const secret = 'pack-check-secret';
    const server = spawn(cli, ['serve'], {
      cwd: tool,
      env: { PATH: CLEAN_ENV.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), RULES_DIR: 'node_modules/okta-hook-rules/rules', PREVIEW: '1', OKTA_HOOK_AUTH_SECRET: secret, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), `the packed service to be ready (${stderr})`);
      const page = await fetch(`${base}/preview`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('<html');
      expect((await fetch(`${base}/preview/static/app.js`)).status).to.equal(200);
      const samples = await fetch(`${base}/preview/api/samples`, { headers: { authorization: secret } });
      expect(samples.status).to.equal(200);
      const answer = await fetch(`${base}/registrationHook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: secret },
        body: JSON.stringify({ requestType: 'self.service.registration', data: { userProfile: { email: 'jo@notexample.com' } } }),
      });
      expect(answer.status).to.equal(200);
      expect(((await answer.json()) as { debugContext: { decision: string } }).debugContext.decision).to.equal('DENY');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('init scaffolds a repository whose own validate and test pass once the package is installed in it', async () => {
    const repo = path.join(work, 'okta-rules');
    const init = await run(cli, ['init', repo], { cwd: work });
    expect(init.code, init.stderr).to.equal(0);
    // Not published: the tarball stands in for the version package.json names.
    const installed = await run('npm', [...NPM_INSTALL, tarball], { cwd: repo, timeoutMs: 240_000 });
    expect(installed.code, installed.stderr).to.equal(0);
    const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    expect(Object.keys(manifest.devDependencies ?? {})).to.deep.equal(['okta-hook-rules']);
    for (const file of ['rules/registration.yaml', 'rules/registration.test.yaml']) {
      const schema = /\$schema=(\S+)/.exec((await readFile(path.join(repo, file), 'utf8')).split('\n')[0]!)![1]!;
      const target = path.resolve(path.dirname(path.join(repo, file)), schema);
      expect(target.startsWith(path.join(repo, 'node_modules', 'okta-hook-rules', 'schemas') + path.sep), target).to.equal(true);
      expect(existsSync(target), target).to.equal(true);
    }
    // The scaffold's own checks, as its CI runs them.
    const npmTest = await run('npm', ['test', '--silent'], { cwd: repo });
    expect(npmTest.code, npmTest.stdout + npmTest.stderr).to.equal(0);
    expect(npmTest.stdout).to.match(/^ok: 2 rules/m);
    expect(npmTest.stdout).to.match(/Rule tests: 4 passed, 0 failed/);
    const diff = await run('npx', ['--no-install', 'hook-rules', 'diff', 'rules', 'rules'], { cwd: repo });
    expect(diff.code, diff.stderr).to.equal(0);
    expect(diff.stdout).to.include('Answers: 4 requests decided by both; no answer changes.');
  });
});
