import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../src/paths.js';

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
async function dockerfileStages(): Promise<Instruction[][]> {
  const text = (await readFile(path.join(PACKAGE_ROOT, 'Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const instruction = { keyword: match[1]!, args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/**
 * No Docker engine runs here, so the image's `hook-rules` is checked in parts: the runtime
 * stage's RUN line that makes it is run for real, with the image's /app and /usr/local/bin
 * mapped to this checkout and a temporary folder, and the stage is checked to put the files
 * it calls where it calls them, as root, with nothing in front of the command.
 */
describe('the image runs the CLI (docker run … hook-rules test /rules)', () => {
  let bin: string;
  before(async () => {
    bin = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-bin-'));
  });
  after(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  it('puts a hook-rules wrapper on PATH, before USER, with no ENTRYPOINT in front of the command', async () => {
    const runtime = (await dockerfileStages()).at(-1)!;
    expect(runtime[0]!.args).to.match(/ AS runtime$/);
    const make = runtime.findIndex((i) => i.keyword === 'RUN' && i.args.includes('/usr/local/bin/hook-rules'));
    expect(make, 'a RUN line making /usr/local/bin/hook-rules').to.be.greaterThan(0);
    expect(make).to.be.lessThan(runtime.findIndex((i) => i.keyword === 'USER'));
    expect(runtime.some((i) => i.keyword === 'ENTRYPOINT')).to.equal(false);
    expect(runtime.filter((i) => i.keyword === 'WORKDIR').map((i) => i.args)).to.deep.equal(['/app']);
    expect(runtime.some((i) => i.keyword === 'COPY' && /--from=build\b.*\s\/app\/dist\s+\.\/dist$/.test(i.args))).to.equal(true);
  });

  it('the wrapper it writes runs the CLI with the arguments given, exit codes passed through', async () => {
    const runtime = (await dockerfileStages()).at(-1)!;
    const line = runtime.find((i) => i.keyword === 'RUN' && i.args.includes('/usr/local/bin/hook-rules'))!.args;
    const wrapper = path.join(bin, 'hook-rules');
    const mapped = line.replaceAll('/usr/local/bin/hook-rules', wrapper).replaceAll('/app/', `${PACKAGE_ROOT}/`);
    await promisify(execFile)('sh', ['-c', mapped]);
    const run = promisify(execFile);
    const env = { ...process.env, PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, LOG_LEVEL: 'silent' };
    const test = await run('hook-rules', ['test', path.join(PACKAGE_ROOT, 'rules'), '--quiet'], { env, cwd: bin });
    expect(test.stdout).to.match(/Rule tests: \d+ passed, 0 failed/);
    const invalid = await run('hook-rules', ['validate', path.join(bin, 'no-rules-here')], { env, cwd: bin }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(invalid.code).to.equal(3);
    expect(invalid.stderr).to.include('cannot read rules directory');
  });
});
