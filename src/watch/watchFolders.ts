import { watch, type FSWatcher } from 'node:fs';

export interface WatchFoldersOptions {
  /**
   * The folders to watch as things are now, each with its inode (a folder replaced at the same
   * path is watched anew); a missing one is left out. Asked at start, after each burst of
   * changes, on resync(), and while a required folder is missing.
   */
  folders(): Promise<ReadonlyMap<string, number>>;
  /** Folders that should be there: while one is missing it is looked for every retryMs; its return is a change. */
  required: readonly string[];
  retryMs: number;
  /** Quiet time after the last event before onChange: editors and Kubernetes updates come in bursts. */
  debounceMs: number;
  /** Also compare signature() this often (ms; 0 = never), for mounts without file events. */
  pollMs: number;
  signature(): Promise<string>;
  /** Called once per burst of changes, with what happened (for the log). */
  onChange(reason: string): void;
  onError?(error: Error): void;
  /** How a file event is named in a reason: the folder and the name the event gave. */
  describe(folder: string, name: string | null): string;
}

export interface FolderWatcher {
  /** Settles once the folders are watched (and first polled): a change made after this is seen. */
  ready: Promise<void>;
  /** Looks at the folders again now, for a change seen some other way (SIGHUP). */
  resync(): Promise<void>;
  close(): void;
}

/**
 * Watches folders for changes to the files in them: one non-recursive watcher per folder
 * (that works the same on every platform), the set brought in line with `folders()` after
 * every burst. It does not decide whether anything that matters changed: the caller reads the
 * files again and compares, so a spurious event costs one read. Used for the rules and for
 * the hook's secret files, which change the same ways: an editor's atomic save (a temp file
 * renamed over the original), a Kubernetes ConfigMap or Secret update (the `..data` symlink
 * swapped to a new timestamped folder: a rename in the folder itself), a folder replaced.
 */
export function watchFolders(options: WatchFoldersOptions): FolderWatcher {
  const watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let reasons = new Set<string>();

  const fail = (error: Error) => options.onError?.(error);

  const trigger = (reason: string) => {
    if (closed) return;
    reasons.add(reason);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const why = [...reasons].slice(0, 5).join(', ');
      reasons = new Set();
      void resync().finally(() => {
        if (closed) return;
        options.onChange(why);
        awaitRequired();
      });
    }, options.debounceMs);
    timer.unref();
  };

  const watchFolder = (folder: string, ino: number) => {
    try {
      const watcher = watch(folder, { persistent: false }, (event, name) => trigger(`${event} ${options.describe(folder, name)}`));
      watcher.on('error', (error) => {
        // The folder went away (deleted or replaced): forget it; the next resync decides.
        watcher.close();
        watchers.delete(folder);
        fail(error);
        trigger(`watch error in ${options.describe(folder, null)}`);
      });
      watchers.set(folder, { watcher, ino });
    } catch (error) {
      fail(error as Error);
    }
  };

  const resync = async () => {
    const wanted = await options.folders().catch(() => new Map<string, number>());
    if (closed) return;
    for (const [folder, entry] of watchers) {
      if (wanted.get(folder) !== entry.ino) {
        entry.watcher.close();
        watchers.delete(folder);
      }
    }
    for (const [folder, ino] of wanted) if (!watchers.has(folder)) watchFolder(folder, ino);
  };

  const missing = () => options.required.filter((folder) => !watchers.has(folder));

  // A required folder is gone (deleted, or not there yet): look for it again now and then.
  const awaitRequired = () => {
    if (closed || retry || missing().length === 0) return;
    retry = setTimeout(() => {
      retry = undefined;
      const before = missing();
      void resync().then(() => {
        const back = before.filter((folder) => watchers.has(folder));
        if (back.length > 0) trigger(`folder is back: ${back.map((folder) => options.describe(folder, null)).join(', ')}`);
        awaitRequired();
      });
    }, options.retryMs);
    retry.unref();
  };

  let poller: NodeJS.Timeout | undefined;
  let firstPoll = Promise.resolve();
  if (options.pollMs > 0) {
    let signature: string | undefined;
    const poll = async () => {
      const next = await options.signature().catch(() => 'unreadable');
      if (signature !== undefined && next !== signature) trigger('poll: files changed');
      signature = next;
    };
    firstPoll = poll();
    poller = setInterval(() => void poll(), options.pollMs);
    poller.unref();
  }

  const ready = Promise.all([resync().then(awaitRequired), firstPoll]).then(() => undefined);

  return {
    ready,
    resync: () => resync().then(awaitRequired),
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
