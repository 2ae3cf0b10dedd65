import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { listFiles } from '../../src/rules/loadRuleset.js';
import { runCli } from '../helpers/runCli.js';

const SCAFFOLD = ['.github/workflows/rules.yml', '.gitignore', 'README.md', 'kustomization.yaml', 'package.json', 'rules/registration.test.yaml', 'rules/registration.yaml'];

describe('hook-rules init (child process)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-init-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function scaffolded(): Promise<string> {
    const dir = path.join(root, 'okta-rules');
    const result = await runCli(['init', dir]);
    expect(result.code, result.stderr).to.equal(0);
    for (const file of SCAFFOLD) expect(result.stdout, file).to.include(`  ${file}\n`);
    expect(result.stdout).to.include('npm install\n  npm test');
    return dir;
  }

  it('writes a repository whose rules pass validate --strict and test --min-coverage 100', async () => {
    const dir = await scaffolded();
    const written = (await listFilesWithDots(dir)).sort();
    expect(written).to.deep.equal([...SCAFFOLD].sort());
    const validate = await runCli(['validate', '--strict', 'rules'], { cwd: dir });
    expect(validate.code, validate.stderr).to.equal(0);
    expect(validate.stderr).to.equal(''); // no warnings either
    expect(validate.stdout).to.match(/^ok: 2 rules in 1 file, lists: blockedDomains \(2\);/);
    const test = await runCli(['test', 'rules', '--min-coverage', '100'], { cwd: dir });
    expect(test.code, test.stdout + test.stderr).to.equal(0);
    expect(test.stdout).to.include('Rule tests: 4 passed, 0 failed');
  });

  it('writes package.json with this version of the CLI as a dev dependency and the checks as scripts', async () => {
    const dir = await scaffolded();
    const own = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    const made = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name: string; private: boolean; scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(made.name).to.equal('okta-rules');
    expect(made.private).to.equal(true);
    expect(made.devDependencies).to.deep.equal({ [own.name]: own.version });
    expect(made.scripts.test).to.equal('hook-rules validate --strict rules && hook-rules test rules --min-coverage 100');
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).to.equal('node_modules/\n');
  });

  it("points each YAML file's schema line at a schema the installed package holds", async () => {
    const dir = await scaffolded();
    // As npm install lays it out: node_modules/<package> is this package.
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(PACKAGE_ROOT, path.join(dir, 'node_modules', 'okta-hook-rules'), 'dir');
    for (const [file, schema] of [['rules/registration.yaml', 'rules.schema.json'], ['rules/registration.test.yaml', 'rules-test.schema.json']] as const) {
      const first = (await readFile(path.join(dir, file), 'utf8')).split('\n')[0]!;
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, file).to.not.equal(null);
      const target = path.resolve(path.dirname(path.join(dir, file)), match![1]!);
      expect(target, file).to.equal(path.join(dir, 'node_modules', 'okta-hook-rules', 'schemas', schema));
      expect(existsSync(target), target).to.equal(true);
    }
  });

  it('writes a CI workflow that installs, validates strictly, tests at full coverage and diffs pull requests', async () => {
    const dir = await scaffolded();
    const workflow = parseYaml(await readFile(path.join(dir, '.github/workflows/rules.yml'), 'utf8')) as {
      on: { pull_request: unknown; push: unknown };
      jobs: { rules: { steps: Array<{ run?: string; if?: string; uses?: string }> } };
    };
    expect(workflow.on).to.have.keys('push', 'pull_request');
    const steps = workflow.jobs.rules.steps;
    const runs = steps.map((step) => step.run ?? '');
    expect(runs).to.include('npm ci');
    expect(runs).to.include('npx hook-rules validate --strict rules');
    expect(runs).to.include('npx hook-rules test rules --min-coverage 100');
    const diff = steps.find((step) => step.run?.includes('npx hook-rules diff'));
    expect(diff?.if).to.equal("github.event_name == 'pull_request'");
    // The step's script is at least valid shell.
    const syntax = spawnSync('bash', ['-n'], { input: diff!.run });
    expect(syntax.status, syntax.stderr.toString()).to.equal(0);
  });

  it("the workflow's diff step passes on unchanged answers, and on changed ones only with the label", async () => {
    const dir = await scaffolded();
    const workflow = parseYaml(await readFile(path.join(dir, '.github/workflows/rules.yml'), 'utf8')) as { jobs: { rules: { steps: Array<{ run?: string }> } } };
    const script = workflow.jobs.rules.steps.find((step) => step.run?.includes('npx hook-rules diff'))!.run!;
    // As the runner has it after checkout and npm ci: a git clone of the repository, the CLI installed.
    await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    await symlink(PACKAGE_ROOT, path.join(dir, 'node_modules', 'okta-hook-rules'), 'dir');
    await writeFile(path.join(dir, 'node_modules', '.bin', 'hook-rules'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js')}" "$@"\n`, { mode: 0o755 });
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    const base = git('rev-parse', 'HEAD').stdout.trim();
    git('remote', 'add', 'origin', dir);
    const step = (approved: boolean, temp: string) => {
      const summary = path.join(temp, 'summary.md');
      const env = { ...process.env, BASE_SHA: base, APPROVED: String(approved), RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary, LOG_LEVEL: 'silent' };
      const ran = spawnSync('bash', ['-e', '-c', script], { cwd: dir, env, encoding: 'utf8' });
      return { ...ran, summary: existsSync(summary) ? spawnSync('cat', [summary], { encoding: 'utf8' }).stdout : '' };
    };
    const unchanged = step(false, await mkdtemp(path.join(root, 'runner-')));
    expect(unchanged.status, unchanged.stderr).to.equal(0);
    expect(unchanged.stdout).to.include('no answer changes');
    // The pull request: one more blocked domain, which the "anyone else" case uses.
    const rulesFile = path.join(dir, 'rules/registration.yaml');
    await writeFile(rulesFile, (await readFile(rulesFile, 'utf8')).replace('values: [mailinator.com, guerrillamail.com]', 'values: [mailinator.com, guerrillamail.com, example.org]'));
    const unapproved = step(false, await mkdtemp(path.join(root, 'runner-')));
    expect(unapproved.status).to.equal(1);
    expect(unapproved.stdout).to.include('::error::This change alters answers');
    expect(unapproved.summary).to.match(/### hook-rules diff\n```\n[\s\S]*anyone else may register[\s\S]*ALLOW → DENY/);
    const approved = step(true, await mkdtemp(path.join(root, 'runner-')));
    expect(approved.status, approved.stderr).to.equal(0);
    expect(approved.stdout).to.include('ALLOW → DENY');
  });

  it('writes a kustomization that lists every rule file and builds a ConfigMap with a content-hashed name', async function () {
    const dir = await scaffolded();
    const kustomization = parseYaml(await readFile(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
      configMapGenerator: Array<{ name: string; files: string[]; options?: { disableNameSuffixHash?: boolean } }>;
      generatorOptions?: { disableNameSuffixHash?: boolean };
    };
    const [generator] = kustomization.configMapGenerator;
    expect(generator!.name).to.equal('okta-hook-rules-rules'); // the name deploy/deployment.yaml mounts
    expect(generator!.files.sort()).to.deep.equal((await listFiles(path.join(dir, 'rules'))).map((f) => path.relative(dir, f)).sort());
    expect(generator!.options?.disableNameSuffixHash ?? kustomization.generatorOptions?.disableNameSuffixHash).to.equal(undefined);
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) this.skip(); // built for real where kubectl is installed
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', dir]);
    const configMap = parseYaml(stdout) as { kind: string; metadata: { name: string }; data: Record<string, string> };
    expect(configMap.kind).to.equal('ConfigMap');
    expect(configMap.metadata.name).to.match(/^okta-hook-rules-rules-[a-z0-9]{10}$/);
    expect(Object.keys(configMap.data).sort()).to.deep.equal(['registration.test.yaml', 'registration.yaml']);
    expect(configMap.data['registration.yaml']).to.equal(await readFile(path.join(dir, 'rules/registration.yaml'), 'utf8'));
  });

  it('refuses to overwrite: lists the files already there, writes nothing, exit 2', async () => {
    const dir = path.join(root, 'existing');
    await mkdir(path.join(dir, 'rules'), { recursive: true });
    await writeFile(path.join(dir, 'package.json'), '{"name": "mine"}\n');
    await writeFile(path.join(dir, 'rules/registration.yaml'), 'rules: []\n');
    const result = await runCli(['init', dir]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('nothing was written');
    expect(result.stderr).to.include('  package.json\n');
    expect(result.stderr).to.include('  rules/registration.yaml\n');
    expect(result.stderr).not.to.include('README.md');
    expect(result.stdout).to.equal('');
    expect((await listFilesWithDots(dir)).sort()).to.deep.equal(['package.json', 'rules/registration.yaml']);
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).to.equal('{"name": "mine"}\n');
  });

  it('scaffolds the current folder by default, and a second run refuses every file', async () => {
    const first = await runCli(['init'], { cwd: root });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^Created in \.:/);
    expect(first.stdout).not.to.include('cd ');
    const again = await runCli(['init', '.'], { cwd: root });
    expect(again.code).to.equal(2);
    for (const file of SCAFFOLD) expect(again.stderr, file).to.include(`  ${file}\n`);
  });

  it('is listed by --help, with its own help', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).to.match(/\n {2}init {7}scaffold a rules repository/);
    const help = await runCli(['init', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^hook-rules init: /);
    expect(help.stdout).to.include('Exit codes');
    expect((await runCli(['init', 'a', 'b'])).code).to.equal(2);
  });
});

/** Every file under `dir`, dot files included (listFiles skips them, as the rules loader must). */
async function listFilesWithDots(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}
