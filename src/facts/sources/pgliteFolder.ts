import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { withFolderLock } from './folderLock.js';

/** Long enough for another process to create, seed and copy a folder on a busy machine. */
const LOCK_WAIT_MS = 120_000;

/**
 * A copy of a PGlite folder, as a data-folder image for `loadDataDir`. The folder is opened by
 * one process at a time (a lock file beside it, FOLDER.lock), only long enough to create it
 * and run the seed when it is new, and to copy it: so workers of one service, and a command
 * run beside the service, never open or seed the same folder at once. PostgreSQL's files are
 * not made to be shared by two servers, and PGlite is a server in each process.
 */
export async function copyOfFolder(Pglite: typeof PGlite, dataDir: string, seed: string | null): Promise<Blob> {
  const folder = path.resolve(dataDir);
  // The lock sits beside the folder, so the folder's parent must exist first (PGlite would create it anyway).
  await mkdir(path.dirname(folder), { recursive: true });
  return withFolderLock(`${folder}.lock`, { waitMs: LOCK_WAIT_MS }, async () => {
    // PG_VERSION is written by initdb: a folder without it (absent, or made empty by hand) is new.
    const fresh = !existsSync(path.join(folder, 'PG_VERSION'));
    const disk = await Pglite.create({ dataDir: folder });
    try {
      if (fresh && seed) await disk.exec(await readFile(seed, 'utf8'));
      return await disk.dumpDataDir('none');
    } finally {
      await disk.close();
    }
  });
}
