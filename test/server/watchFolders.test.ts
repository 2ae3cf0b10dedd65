import { expect } from 'chai';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { watchFolders, type FolderWatcher } from '../../src/watch/watchFolders.js';

/** The one folder watcher behind the rules reloader and the secret files (real folders, real file events). */
describe('watchFolders', function () {
  this.timeout(20_000);
  let root: string;
  let watcher: FolderWatcher | undefined;
  const changes: string[] = [];

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'watch-folders-'));
    changes.length = 0;
  });
  afterEach(async () => {
    watcher?.close();
    await rm(root, { recursive: true, force: true });
  });

  function start(folders: string[], pollMs = 0): FolderWatcher {
    watcher = watchFolders({
      folders: async () => {
        const found = new Map<string, number>();
        for (const folder of folders) {
          const info = await stat(folder).catch(() => undefined);
          if (info) found.set(folder, info.ino);
        }
        return found;
      },
      required: folders,
      retryMs: 100,
      debounceMs: 50,
      pollMs,
      signature: async () => JSON.stringify(await Promise.all(folders.map((folder) => stat(path.join(folder, 'f')).then((s) => s.mtimeMs, () => 0)))),
      onChange: (reason) => changes.push(reason),
      describe: (folder, name) => path.relative(root, path.join(folder, name ?? '')) || '.',
    });
    return watcher;
  }

  const until = async (test: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`not seen; changes: ${JSON.stringify(changes)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('reports a burst of changes once, naming what changed', async () => {
    await start([root]).ready;
    await writeFile(path.join(root, 'a'), '1');
    await writeFile(path.join(root, 'b'), '2');
    await until(() => changes.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).to.have.length(1);
    expect(changes[0]).to.match(/\b(a|b)\b/);
  });

  it('a required folder removed and made again is watched anew: its return is a change, and so are edits in it', async () => {
    const folder = path.join(root, 'secrets');
    await mkdir(folder);
    await start([folder]).ready;
    await rm(folder, { recursive: true });
    await until(() => changes.length > 0);
    await mkdir(folder);
    await until(() => changes.some((reason) => reason.startsWith('folder is back: secrets')));
    const seen = changes.length;
    await writeFile(path.join(folder, 'f'), 'new');
    await until(() => changes.length > seen);
  });
});
