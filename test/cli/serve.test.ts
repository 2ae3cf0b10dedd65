import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { tempRulesDir } from '../helpers/tempRules.js';

const CLI = path.join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');

/** Runs the built CLI (npm test builds first) until it exits or prints `until`. */
function run(args: string[], env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let signalled = false;
    const check = () => {
      if (until && !signalled && until.test(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      check();
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('hook-rules serve (child process)', () => {
  it('refuses to start on an invalid ruleset, listing every error as file:line:column (exit 3)', async () => {
    const tmp = await tempRulesDir({
      'a.yaml': 'rules:\n  - id: a\n    description: d\n    appliesTo: [progressive.profile]\n    when: { nope: [] }\n    then: { allow: true }\n',
      'b.yaml': 'rules:\n  - id: b\n    descripton: typo\n',
    });
    try {
      const { code, stderr } = await run(['serve'], { RULES_DIR: tmp.dir, PORT: '0', HOST: '127.0.0.1' });
      expect(code).to.equal(3);
      const lines = stderr.trim().split('\n');
      expect(lines).to.include(`${path.join(tmp.dir, 'a.yaml')}:5:13: rule "a" (${path.join(tmp.dir, 'a.yaml')}:2:5): unknown operator "nope" (did you mean "none"?)`);
      expect(lines).to.include(`${path.join(tmp.dir, 'b.yaml')}:3:5: rule "b" (${path.join(tmp.dir, 'b.yaml')}:2:5): unknown property "descripton" (did you mean "description"?)`);
    } finally {
      await tmp.remove();
    }
  });

  it('starts on the default rules and stops on SIGTERM', async () => {
    const { code, stdout } = await run(['serve'], { RULES_DIR: 'rules', PORT: '0', HOST: '127.0.0.1' }, /"msg":"listening"/);
    expect(stdout).to.match(/"msg":"rules loaded"/);
    expect(stdout).to.match(/HOOK ENDPOINT IS OPEN/);
    expect(code).to.equal(0);
  });

  it('prints help, and exits 2 on an unknown command', async () => {
    const help = await run(['serve', '--help'], {});
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/Usage: hook-rules serve/);
    const unknown = await run(['frobnicate'], {});
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/unknown command "frobnicate"/);
  });

  it('exits 2 with a clear message on bad configuration', async () => {
    const { code, stderr } = await run(['serve'], { PORT: 'eighty', RULES_DIR: 'rules' });
    expect(code).to.equal(2);
    expect(stderr).to.match(/PORT: "eighty" is not a whole number/);
  });
});
