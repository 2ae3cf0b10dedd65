import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../rules/loadRuleset.js';
import { watchFolders, type FolderWatcher } from '../watch/watchFolders.js';

export interface WatchRulesOptions {
  /** Quiet time after the last event before `onChange` runs: editors and ConfigMap updates come in bursts. */
  debounceMs: number;
  /** Also compare the folder's files (size, mtime, inode) this often; 0 = file events only. For file systems without events (NFS, some container mounts). */
  pollMs?: number;
  /** Called once per burst of changes. */
  onChange(reason: string): void;
  onError?(error: Error): void;
}

export type RulesWatcher = Pick<FolderWatcher, 'ready' | 'close'>;

/**
 * Watches a rules folder for anything that may change the ruleset: files added, changed,
 * deleted or renamed, an editor's atomic save and a Kubernetes ConfigMap update (see
 * watchFolders). The folder and its sub-folders are watched, not dot-folders such as
 * `..2024_01_01_00_00_00.1`, which are reached through `..data`. The reloader loads and
 * compares versions, so a spurious event costs one load.
 */
export function watchRules(dir: string, options: WatchRulesOptions): RulesWatcher {
  const root = path.resolve(dir);
  return watchFolders({
    folders: () => folders(root),
    required: [root],
    retryMs: Math.max(options.debounceMs * 5, 1000),
    debounceMs: options.debounceMs,
    pollMs: options.pollMs ?? 0,
    signature: () => filesSignature(root),
    onChange: options.onChange,
    ...(options.onError ? { onError: options.onError } : {}),
    describe: (folder, name) => path.relative(root, path.join(folder, name ?? '')) || '.',
  });
}

/** The folder and its sub-folders (symlinks followed, dot-entries skipped), with their inodes. */
async function folders(root: string, out = new Map<string, number>()): Promise<Map<string, number>> {
  const info = await stat(root);
  out.set(root, info.ino);
  for (const name of await readdir(root)) {
    if (name.startsWith('.')) continue;
    const full = path.join(root, name);
    const child = await stat(full).catch(() => undefined);
    if (child?.isDirectory()) await folders(full, out);
  }
  return out;
}

/** What polling compares: every file the loader would see, with size, mtime and inode (a ConfigMap swap changes the inode). */
async function filesSignature(root: string): Promise<string> {
  const parts: string[] = [];
  for (const file of await listFiles(root)) {
    const info = await stat(file).catch(() => undefined);
    if (info) parts.push(`${file}|${info.size}|${info.mtimeMs}|${info.ino}`);
  }
  return parts.join('\n');
}
