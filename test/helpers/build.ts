/**
 * Mocha's global setup: some tests run the built CLI (dist/), others import src/ directly, so
 * dist/ is rebuilt first whenever a source file is newer than it. Both kinds then run the
 * same code, whether mocha was started by `npm test` or on a single file.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = path.join(ROOT, 'dist', 'cli', 'main.js');

function newest(entry: string): number {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

export function mochaGlobalSetup(): void {
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'tsconfig.json')), newest(path.join(ROOT, 'tsconfig.build.json')));
  if (sources <= built) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
}
