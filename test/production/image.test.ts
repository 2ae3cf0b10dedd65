import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT, ServeProcess } from './childProcess.js';

// What the container image holds, without a container engine: the runtime stage's COPY lines,
// read from the Dockerfile, assembled in a temporary folder from the built checkout, then the
// service started there as the image starts it (its ENV, WORKDIR, CMD). A file the code needs at
// run time and the Dockerfile does not copy makes this fail, as it would fail in the image.

interface RuntimeStage {
  workdir: string;
  env: Record<string, string>;
  command: string[];
  copies: Array<{ from?: string; sources: string[]; dest: string }>;
}

/** The last stage of the Dockerfile: its WORKDIR, ENV, COPY lines and ENTRYPOINT + CMD. */
function runtimeStage(dockerfile: string): RuntimeStage {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((line) => line.trim());
  const last = lines.map((line, i) => (/^FROM\s/i.test(line) ? i : -1)).filter((i) => i >= 0).at(-1)!;
  const stage: RuntimeStage = { workdir: '/', env: {}, command: [], copies: [] };
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  for (const line of lines.slice(last + 1)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'WORKDIR':
        stage.workdir = path.posix.resolve(stage.workdir, args);
        break;
      case 'ENV':
        for (const [, key, value] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[key!] = value!.replace(/^"|"$/g, '');
        break;
      case 'COPY': {
        const words = args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        stage.copies.push({ ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(args) as string[];
        break;
      case 'CMD':
        cmd = JSON.parse(args) as string[];
        break;
    }
  }
  stage.command = [...entrypoint, ...cmd];
  return stage;
}

/** .dockerignore's patterns, matched against a path from the context root (and its parent folders). */
function dockerIgnored(): (relative: string) => boolean {
  const patterns = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*')}$`));
  return (relative) => {
    const parts = relative.split('/');
    return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
  };
}

/**
 * The image's files in `into`: a file from the build context is copied from the checkout (less
 * what .dockerignore leaves out); a file from an earlier stage is what that stage made under its
 * WORKDIR, which is this checkout after `npm run build` (dist/) and `npm ci` (node_modules,
 * linked rather than copied: it is the dependencies, not the code).
 */
function assemble(stage: RuntimeStage, into: string): void {
  const ignored = dockerIgnored();
  for (const copy of stage.copies) {
    for (const source of copy.sources) {
      const relative = copy.from ? path.posix.relative(stage.workdir, source) : source.replace(/^\.\//, '');
      expect(relative.startsWith('..'), `${source} comes from outside ${stage.workdir}`).to.equal(false);
      const from = path.join(ROOT, relative);
      expect(existsSync(from), `${copy.from ? `stage ${copy.from}: ` : ''}${source} (build first: npm run build)`).to.equal(true);
      const destDir = path.posix.resolve(stage.workdir, copy.dest);
      const target = copy.dest.endsWith('/') || copy.dest === '.' ? path.posix.join(destDir, path.posix.basename(relative)) : destDir;
      const to = path.join(into, path.posix.relative(stage.workdir, target));
      mkdirSync(path.dirname(to), { recursive: true });
      if (relative === 'node_modules') symlinkSync(from, to, 'dir');
      else cpSync(from, to, { recursive: true, filter: (file) => copy.from !== undefined || !ignored(path.relative(ROOT, file).split(path.sep).join('/')) });
    }
  }
}

/** Every asset the page asks for: stylesheet and scripts from index.html, then each script's imports. */
async function pageAssets(base: string, index: string): Promise<Map<string, Response>> {
  const seen = new Map<string, Response>();
  const queue = [...index.matchAll(/(?:src|href)="(\/preview\/[^"]+)"/g)].map((m) => m[1]!);
  while (queue.length > 0) {
    const asset = queue.shift()!;
    if (seen.has(asset)) continue;
    const response = await fetch(`${base}${asset}`);
    seen.set(asset, response);
    if (asset.endsWith('.js') && response.ok) {
      const text = await response.clone().text();
      for (const [, relative] of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) queue.push(path.posix.join(path.posix.dirname(asset), relative!));
    }
  }
  return seen;
}

describe('the container image (assembled from the Dockerfile, no container engine)', function () {
  this.timeout(60_000);
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const stage = runtimeStage(dockerfile);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hook-rules-image-'));
    assemble(stage, dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the runtime stage: a command, copies from the context and from the build', () => {
    expect(stage.command[0]).to.equal('node');
    expect(stage.copies.some((c) => c.from === undefined)).to.equal(true);
    expect(stage.copies.some((c) => c.from !== undefined)).to.equal(true);
    expect(existsSync(path.join(dir, 'package.json'))).to.equal(true);
  });

  it('serves the preview page and every asset it loads, with PREVIEW=1, as the image starts', async () => {
    // The image's ENV, with paths under its WORKDIR moved to the folder; a loopback port; and the
    // credentials production needs for the preview.
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(stage.env)) env[key] = value.startsWith(`${stage.workdir}/`) ? path.join(dir, value.slice(stage.workdir.length + 1)) : value;
    const serve = new ServeProcess({ ...env, HOST: '127.0.0.1', PORT: '0', PREVIEW: '1', OKTA_HOOK_AUTH_SECRET: 'image-test-secret' }, { cwd: dir, args: stage.command.slice(1) });
    try {
      const base = await serve.url();
      const page = await fetch(`${base}/preview`);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
      const assets = await pageAssets(base, await page.text());
      expect(assets.size).to.be.at.least(3); // the stylesheet, the app and what it imports
      for (const [asset, response] of assets) {
        expect(response.status, asset).to.equal(200);
        expect(response.headers.get('content-type'), asset).to.match(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      }
      const samples = await fetch(`${base}/preview/api/samples`, { headers: { authorization: 'image-test-secret' } });
      expect(samples.status).to.equal(200);
      expect(JSON.stringify(await samples.json())).to.include('self.service.registration');
      expect(serve.lines.some((line) => line.level === 50 || line.level === 60)).to.equal(false);
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }
  });
});
