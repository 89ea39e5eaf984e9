/**
 * A native recursive watcher (@parcel/watcher, as Nx and VS Code use) over the watch roots. Events
 * are coalesced until the file system has been quiet for a moment, so that a burst becomes one batch.
 *
 * @parcel/watcher reports the first change after a pause at once, then batches the rest of a burst
 * until 50 ms of quiet: the quiet window below must outlast that. While git holds its index lock
 * (checkout, merge, rebase), the batch is held back, however long git takes, and released once the
 * lock is gone and parcel has delivered the tail of the burst.
 */
import watcher from '@parcel/watcher';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { debuglog } from 'node:util';
import { ConfigError } from './errors.js';

const debug = debuglog('cctrial');

/** Folders whose changes never affect test results. */
export const WATCH_IGNORED_FOLDERS = ['node_modules', '.git', '.hg', '.svn', '.nx', '.turbo', 'coverage', '.cache'];
/** Longer than @parcel/watcher's own 50 ms batching, so that its second batch of a burst joins the first. */
export const DEFAULT_QUIET_MS = 60;
const GIT_LOCK_POLL_MS = 20;

export interface ChangeBatch {
  changed: string[];
  created: string[];
  deleted: string[];
}

export interface Watcher {
  close(): Promise<void>;
}

export async function watchFolders(roots: string[], onBatch: (batch: ChangeBatch) => void, quietMs = DEFAULT_QUIET_MS): Promise<Watcher> {
  const pending = new Map<string, 'create' | 'update' | 'delete'>();
  let timer: NodeJS.Timeout | undefined;
  const gitLocks = [...new Set(roots.map(gitIndexLock).filter((lock): lock is string => lock !== undefined))];
  let heldByGit = false;
  const flush = () => {
    timer = undefined;
    if (gitLocks.some((lock) => existsSync(lock))) {
      heldByGit = true;
      timer = setTimeout(flush, GIT_LOCK_POLL_MS);
      return;
    }
    if (heldByGit) {
      // git is done: give parcel time to deliver the events of git's last writes.
      heldByGit = false;
      timer = setTimeout(flush, quietMs);
      return;
    }
    const batch: ChangeBatch = { changed: [], created: [], deleted: [] };
    for (const [file, type] of pending) {
      batch.changed.push(file);
      if (type === 'create') batch.created.push(file);
      if (type === 'delete') batch.deleted.push(file);
    }
    pending.clear();
    debug('watcher batch: %d files', batch.changed.length);
    onBatch(batch);
  };

  const ignore = WATCH_IGNORED_FOLDERS.map((folder) => `**/${folder}/**`).concat(WATCH_IGNORED_FOLDERS);
  const subscriptions: watcher.AsyncSubscription[] = [];
  try {
    for (const root of roots) {
      subscriptions.push(
        await watcher.subscribe(
          root,
          (error, events) => {
            if (error) {
              debug('watcher error in %s: %s', root, error.message);
              return;
            }
            for (const event of events) {
              // A file created and deleted within one burst is no change at all.
              const previous = pending.get(event.path);
              if (previous === 'create' && event.type === 'delete') pending.delete(event.path);
              else pending.set(event.path, previous === 'create' && event.type === 'update' ? 'create' : event.type);
            }
            clearTimeout(timer);
            timer = setTimeout(flush, quietMs);
          },
          { ignore },
        ),
      );
    }
  } catch (error) {
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    throw explainWatchError(error as Error, roots);
  }
  debug('watching %d folders: %s', roots.length, roots.join(', '));
  return {
    async close() {
      clearTimeout(timer);
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    },
  };
}

function explainWatchError(error: Error, roots: string[]): Error {
  const message = error.message ?? String(error);
  if (/inotify|ENOSPC|no space left|too many/i.test(message)) {
    return new ConfigError(
      `The system's limit on watched folders was reached while watching ${roots.map((root) => path.basename(root)).join(', ')} (${message}). ` +
        'Raise it with "sudo sysctl fs.inotify.max_user_watches=524288", and add "fs.inotify.max_user_watches=524288" to /etc/sysctl.conf to keep it after a reboot.',
    );
  }
  return new ConfigError(`Could not watch ${roots.join(', ')}: ${message}`);
}

/** The index lock of the git repository that holds `folder`, if any: git creates it for the length of a checkout. */
function gitIndexLock(folder: string): string | undefined {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    if (existsSync(dotGit)) {
      // In a worktree, .git is a file that points at the real git folder.
      const gitDir = statSync(dotGit).isDirectory() ? dotGit : path.resolve(dir, readFileSync(dotGit, 'utf8').replace(/^gitdir:\s*/, '').trim());
      return path.join(gitDir, 'index.lock');
    }
    if (dir === path.dirname(dir)) return undefined;
  }
}
