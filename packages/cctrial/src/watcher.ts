/**
 * A native recursive watcher (@parcel/watcher, as Nx and VS Code use) over the watch roots. Events
 * are coalesced until the file system has been quiet for a moment, so a burst such as a
 * `git checkout` of 1,000 files becomes one batch, delivered after the burst, never halfway through.
 */
import watcher from '@parcel/watcher';
import path from 'node:path';
import { debuglog } from 'node:util';
import { ConfigError } from './errors.js';

const debug = debuglog('cctrial');

/** Folders whose changes never affect test results. */
export const WATCH_IGNORED_FOLDERS = ['node_modules', '.git', '.hg', '.svn', '.nx', '.turbo', 'coverage', '.cache'];
export const DEFAULT_QUIET_MS = 100;

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
  const flush = () => {
    timer = undefined;
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
