/**
 * A native recursive watcher (@parcel/watcher, as Nx and VS Code use) over the watch roots, chosen by
 * measurement over chokidar (docs/architecture.md). Events are coalesced (coalesce.ts) so that a
 * burst, such as a `git checkout` of 1,000 files, becomes one batch delivered after the burst, never
 * halfway through.
 */
import watcher from '@parcel/watcher';
import { existsSync, readFileSync, statSync, watch as fsWatch } from 'node:fs';
import path from 'node:path';
import { debuglog } from 'node:util';
import { ConfigError } from '../errors.js';
import { delayAfterDelivery, IDLE, onDelayOver, type Coalescing } from './coalesce.js';

const debug = debuglog('cctrial');

/** Folders whose changes never affect test results. */
export const WATCH_IGNORED_FOLDERS = ['node_modules', '.git', '.hg', '.svn', '.nx', '.turbo', 'coverage', '.cache'];

export interface ChangeBatch {
  changed: string[];
  created: string[];
  deleted: string[];
}

/** The part of a batch whose files `keep` accepts. */
export function batchOf(batch: ChangeBatch, keep: (file: string) => boolean): ChangeBatch {
  return { changed: batch.changed.filter(keep), created: batch.created.filter(keep), deleted: batch.deleted.filter(keep) };
}

export interface Watcher {
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Whether to take a lone change at once, rather than wait to see if a burst follows. */
  eager?: () => boolean;
  /** Told once when new folders can no longer be watched. */
  onWarning?: (message: string) => void;
}

export async function watchFolders(roots: string[], onBatch: (batch: ChangeBatch) => void, options: WatchOptions = {}): Promise<Watcher> {
  const pending = new Map<string, 'create' | 'update' | 'delete'>();
  let timer: NodeJS.Timeout | undefined;
  let coalescing: Coalescing = IDLE;
  const gitLocks = [...new Set(roots.map(gitIndexLock).filter((lock): lock is string => lock !== undefined))];
  let warnedOfLimit = false;
  const flush = () => {
    timer = undefined;
    const next = onDelayOver(coalescing, gitLocks.some((lock) => existsSync(lock)));
    coalescing = next.state;
    if (!next.deliver) {
      timer = setTimeout(flush, next.delayMs);
      return;
    }
    const batch: ChangeBatch = { changed: [], created: [], deleted: [] };
    for (const [file, type] of pending) {
      batch.changed.push(file);
      if (type === 'create') batch.created.push(file);
      if (type === 'delete') batch.deleted.push(file);
    }
    pending.clear();
    if (batch.changed.length === 0) return;
    if (!warnedOfLimit && batch.created.some(cannotBeWatched)) {
      warnedOfLimit = true;
      options.onWarning?.(inotifyLimitMessage('new folders', 'the system refused to watch one more'));
    }
    debug('watcher batch: %d files', batch.changed.length);
    onBatch(batch);
  };

  // One pattern, not a glob per folder: parcel tests every path of its crawl against each pattern, with std::regex.
  const ignore = [new RegExp(`(?:^|/)(?:${WATCH_IGNORED_FOLDERS.map((folder) => folder.replace('.', '\\.')).join('|')})(?:/|$)`)];
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
            const before = { ...coalescing, pending: pending.size };
            for (const event of events) {
              // A file created and deleted within one burst is no change at all.
              const previous = pending.get(event.path);
              if (previous === 'create' && event.type === 'delete') pending.delete(event.path);
              else pending.set(event.path, previous === 'create' && event.type === 'update' ? 'create' : event.type);
            }
            const deletes = events.some((event) => event.type === 'delete');
            const next = delayAfterDelivery(before, performance.now(), options.eager?.() ?? false, deletes);
            coalescing = { ...next.state, pending: pending.size };
            clearTimeout(timer);
            timer = setTimeout(flush, next.delayMs);
          },
          // Naming the backend skips parcel's probe for watchman, which leaves a zombie `sh` behind when watchman is absent.
          { ignore, ...(process.platform === 'linux' ? { backend: 'inotify' as const } : {}) },
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
    return new ConfigError(inotifyLimitMessage(roots.map((root) => path.basename(root)).join(', '), message));
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

function inotifyLimitMessage(what: string, detail: string): string {
  return (
    `The system's limit on watched folders was reached while watching ${what} (${detail}): changes there are not seen. ` +
    'Raise it with "sudo sysctl fs.inotify.max_user_watches=524288", and add "fs.inotify.max_user_watches=524288" to /etc/sysctl.conf to keep it after a reboot.'
  );
}

/**
 * @parcel/watcher adds a watch for each new folder and, past the inotify limit, fails without a word.
 * Asking for one more watch of the same kind tells whether that happened.
 */
function cannotBeWatched(file: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (!statSync(file).isDirectory()) return false;
    fsWatch(file).close();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOSPC';
  }
}
