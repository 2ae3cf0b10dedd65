import { open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';

export interface FolderLockOptions {
  /** How long to wait for another process to finish with the folder. */
  waitMs: number;
  /** Between two tries. */
  pollMs?: number;
}

/**
 * Runs `work` while holding `lockPath`, a file created exclusively (O_EXCL) holding this
 * process's id and host. Another process that wants the same lock waits. A lock whose process
 * has died on this host (a worker killed mid-seed) is taken over; a lock from another host (a
 * shared volume) is never, since its process cannot be checked from here: waiting ends with an
 * error that names the file.
 */
export async function withFolderLock<T>(lockPath: string, options: FolderLockOptions, work: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + options.waitMs;
  const mine = `${process.pid}\n${os.hostname()}\n`;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(mine);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(lockPath, 'utf8').catch(() => null);
    if (holder === null) continue; // released meanwhile: try again at once
    if (isDead(holder)) {
      // Removed only if it still holds what was read, so that a lock just taken by another process stays.
      if ((await readFile(lockPath, 'utf8').catch(() => null)) === holder) await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= giveUpAt) {
      const [pid = '?', host = '?'] = holder.split('\n');
      throw new Error(`${lockPath} is held by process ${pid} on ${host}: remove it if no hook-rules process uses the folder`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** A holder on this host whose process is gone. A written-but-empty file is a holder still starting. */
function isDead(holder: string): boolean {
  const [pidText, host] = holder.split('\n');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
