import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A folder laid out as the kubelet mounts a Secret: the data in a timestamped `..<stamp>`
 * folder, `..data` a symlink to it, and each key a symlink to `..data/<key>`. `update` does
 * what the kubelet's atomic writer does: writes a new timestamped folder, points a temporary
 * symlink at it, renames that over `..data` (one atomic step) and removes the old folder.
 */
export async function k8sSecretFolder(dir: string, data: Record<string, string>) {
  let generation = 0;
  let current = '';
  const write = async (next: Record<string, string>) => {
    const stamp = `..2026_12_02_06_00_00.${++generation}`;
    await mkdir(path.join(dir, stamp));
    for (const [key, value] of Object.entries(next)) await writeFile(path.join(dir, stamp, key), value);
    await symlink(stamp, path.join(dir, '..data_tmp'));
    await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    for (const key of Object.keys(next)) {
      await symlink(path.join('..data', key), path.join(dir, key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    if (current) await rm(path.join(dir, current), { recursive: true, force: true });
    current = stamp;
  };
  await mkdir(dir, { recursive: true });
  await write(data);
  return { update: write };
}
