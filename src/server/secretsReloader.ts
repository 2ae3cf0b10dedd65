import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../observability/log.js';
import { watchFolders } from '../watch/watchFolders.js';
import { readSecretSources, type HookSecrets, type SecretSources } from './hookSecrets.js';

export type SecretsOutcome = { status: 'reloaded' | 'unchanged'; count: number } | { status: 'kept'; count: number; problems: string[] };

export interface SecretsReloader {
  /** Reads the secret files again and swaps the set in if it is readable and different. */
  reload(reason: string): SecretsOutcome;
  /** Settles once the folders are watched. */
  ready: Promise<void>;
  close(): void;
}

export interface SecretsReloaderOptions {
  sources: SecretSources;
  secrets: HookSecrets;
  logger: Logger;
  /** Quiet time after the last file event before reading: a Secret update is several events. */
  debounceMs: number;
  /** Also compare the files (size, mtime, inode) this often (ms; 0 = off), for mounts without file events. */
  pollMs: number;
  /** Read them again on SIGHUP. */
  sighup: boolean;
}

/**
 * Keeps the hook's header secrets in step with OKTA_HOOK_AUTH_SECRET_FILE / _SECRETS_FILE.
 * It watches each file's folder rather than the file: a Kubernetes Secret update swaps the
 * folder's `..data` symlink to a new timestamped folder (a rename in the folder) and leaves the
 * file's own path unchanged, and an editor's save replaces the file. Every read goes by path,
 * so the symlinks are resolved anew. A set that cannot be read whole (a file missing, empty,
 * mid-write) is not applied: the old set stays and the problem is logged. The log says how
 * many secrets are accepted, never which.
 */
export function startSecretsReloader(options: SecretsReloaderOptions): SecretsReloader {
  const { sources, secrets, logger } = options;
  const files = [sources.secretFile, sources.secretsFile].filter((file): file is string => Boolean(file));
  const folders = watchedFolders(files);
  let lastProblems = '';

  const reload = (reason: string): SecretsOutcome => {
    const problems: string[] = [];
    const next = readSecretSources(sources, problems);
    if (problems.length > 0) {
      // Logged once per distinct failure: a half-written file can raise many events.
      const key = problems.join('\n');
      if (key !== lastProblems || reason === 'SIGHUP') {
        logger.error({ event: 'secrets-reload-failed', reason, problems, count: secrets.count }, `secrets reload failed; still accepting the ${secrets.count} current secret${secrets.count === 1 ? '' : 's'}`);
      }
      lastProblems = key;
      return { status: 'kept', count: secrets.count, problems };
    }
    lastProblems = '';
    if (!secrets.replace(next)) {
      const level = reason === 'SIGHUP' ? 'info' : 'debug';
      logger[level]({ event: 'secrets-unchanged', reason, count: secrets.count }, 'secrets unchanged');
      return { status: 'unchanged', count: secrets.count };
    }
    logger.info({ event: 'secrets-reloaded', reason, count: secrets.count }, 'secrets reloaded');
    return { status: 'reloaded', count: secrets.count };
  };

  const watcher = watchFolders({
    folders: async () => {
      const found = new Map<string, number>();
      for (const folder of folders) {
        const ino = await stat(folder).then((info) => info.ino, () => undefined);
        if (ino !== undefined) found.set(folder, ino);
      }
      return found;
    },
    required: folders,
    retryMs: 5_000,
    debounceMs: options.debounceMs,
    pollMs: options.pollMs,
    signature: () => filesSignature(files),
    onChange: (why) => void reload(why),
    onError: (error) => logger.warn({ err: error.message }, 'secrets watcher'),
    describe: (folder, name) => (name ? path.join(folder, name) : folder),
  });

  const onSignal = () => {
    reload('SIGHUP');
    void watcher.resync();
  };
  if (options.sighup) process.on('SIGHUP', onSignal);

  let closed = false;
  const ready = watcher.ready.then(() => {
    if (!closed) logger.info({ files: files.length, count: secrets.count }, 'watching hook secret files for changes');
  });

  return {
    reload,
    ready,
    close() {
      closed = true;
      process.off('SIGHUP', onSignal);
      watcher.close();
    },
  };
}

/**
 * Each file's folder and, when that folder is itself a symlink (a path through `..data/`), the
 * folder holding the symlink too: re-pointing the symlink changes nothing in the folder it
 * pointed to, only in its parent.
 */
function watchedFolders(files: string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const folder = path.dirname(path.resolve(file));
    folders.add(folder);
    try {
      if (lstatSync(folder).isSymbolicLink()) folders.add(path.dirname(folder));
    } catch {
      // missing now: watched once it appears
    }
  }
  return [...folders];
}

/** What polling compares: each file as read by path (symlinks followed), with size, mtime and inode. */
async function filesSignature(files: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    parts.push(info ? `${file}|${info.size}|${info.mtimeMs}|${info.ino}` : `${file}|missing`);
  }
  return parts.join('\n');
}
