import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../rules/loadRuleset.js';

export interface WatchRulesOptions {
  /** Quiet time after the last event before `onChange` runs: editors and ConfigMap updates come in bursts. */
  debounceMs: number;
  /** Poll instead of using file events: compare the folder's files (size, mtime, inode) this often. 0 = events. For file systems without events (NFS, some container mounts). */
  pollMs?: number;
  /** Called once per burst of changes. */
  onChange(reason: string): void;
  onError?(error: Error): void;
}

export interface RulesWatcher {
  /** Settles once the folders are watched; events before that may be missed. */
  ready: Promise<void>;
  close(): void;
}

/**
 * Watches a rules folder for anything that may change the ruleset: files added, changed,
 * deleted or renamed, an editor's atomic save (a temp file renamed over the original) and a
 * Kubernetes ConfigMap update (the `..data` symlink swapped to a new timestamped folder,
 * which shows up as a rename in the folder itself). It does not decide whether the ruleset
 * changed: the reloader loads and compares versions, so a spurious event costs one load.
 *
 * One non-recursive watcher per folder (the folder and its sub-folders, not dot-folders such
 * as `..2024_01_01_00_00_00.1`, which are reached through `..data`), re-scanned after every
 * burst; that works the same on every platform. A watched folder that was replaced (same
 * path, new inode) is watched anew. With `pollMs`, it polls instead (no file events).
 */
export function watchRules(dir: string, options: WatchRulesOptions): RulesWatcher {
  const root = path.resolve(dir);
  const watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reasons = new Set<string>();
  let signature: string | undefined;
  const polling = (options.pollMs ?? 0) > 0;

  const fail = (error: Error) => options.onError?.(error);

  const trigger = (reason: string) => {
    if (closed) return;
    reasons.add(reason);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const why = [...reasons].slice(0, 5).join(', ');
      reasons = new Set();
      void (polling ? Promise.resolve() : resync()).finally(() => {
        if (closed) return;
        options.onChange(why);
        if (!polling) awaitRoot();
      });
    }, options.debounceMs);
    timer.unref();
  };

  const watchFolder = (folder: string, ino: number) => {
    try {
      const watcher = watch(folder, { persistent: false }, (event, name) => {
        const where = path.relative(root, path.join(folder, name ?? '')) || '.';
        trigger(`${event} ${where}`);
      });
      watcher.on('error', (error) => {
        // The folder went away (deleted or replaced): forget it; the next resync decides.
        watcher.close();
        watchers.delete(folder);
        fail(error);
        trigger(`watch error in ${path.relative(root, folder) || '.'}`);
      });
      watchers.set(folder, { watcher, ino });
    } catch (error) {
      fail(error as Error);
    }
  };

  /** Brings the set of watched folders in line with what is on disk now. */
  const resync = async () => {
    const wanted = await folders(root).catch(() => new Map<string, number>());
    if (closed) return;
    for (const [folder, entry] of watchers) {
      if (wanted.get(folder) !== entry.ino) {
        entry.watcher.close();
        watchers.delete(folder);
      }
    }
    for (const [folder, ino] of wanted) if (!watchers.has(folder)) watchFolder(folder, ino);
  };

  // The rules folder itself is gone (deleted, or renamed away): look for it again now and then.
  let retry: NodeJS.Timeout | undefined;
  const awaitRoot = () => {
    if (closed || watchers.has(root) || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void resync().then(() => (watchers.has(root) ? trigger('rules folder is back') : awaitRoot()));
    }, Math.max(options.debounceMs * 5, 1000));
    retry.unref();
  };

  let poller: NodeJS.Timeout | undefined;
  let firstPoll = Promise.resolve();
  if (polling) {
    const poll = async () => {
      const next = await filesSignature(root).catch(() => 'unreadable');
      if (signature !== undefined && next !== signature) trigger('poll: files changed');
      signature = next;
    };
    firstPoll = poll();
    poller = setInterval(() => void poll(), options.pollMs);
    poller.unref();
  }

  const ready = Promise.all([polling ? undefined : resync().then(awaitRoot), firstPoll]).then(() => undefined);

  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(retry);
      clearInterval(poller);
      for (const { watcher } of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
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
