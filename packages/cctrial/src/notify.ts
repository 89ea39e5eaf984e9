/**
 * Desktop notifications after each run, through node-notifier (notify-send on Linux, Notification
 * Center on macOS, toasts on Windows), an optional dependency. Not essential: when no notifier works,
 * say so once and go on, and under Nx or Turborepo, whose task output is no place for it, say nothing.
 */
import { execFile } from 'node:child_process';
import type { Notification } from './loop.js';

/** Settles once the notification is out (or failed): cctrial waits for that, briefly, before it exits. */
export type Notify = (notification: Notification) => void | Promise<void>;

const HIDE_HINT = 'pass --no-notify to hide this notice';

/**
 * Why notifications cannot work here, known before the first one: on Linux, no notify-send on PATH
 * (node-notifier brings its own notifier for macOS and Windows). Asked of the shell, as node-notifier would find it.
 */
export function notifierProblem(platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  if (platform !== 'linux') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', 'command -v notify-send'], (error) =>
      resolve(error ? `desktop notifications are off: notify-send is not on PATH (install libnotify, or ${HIDE_HINT}).` : undefined),
    );
  });
}

export function createNotifier(onUnavailable: (message: string) => void): Notify {
  let available = true;
  return async ({ title, body }) => {
    if (!available) return;
    // Loaded on first use: it is a seventh of cctrial's start-up otherwise. It is optional: an install
    // with --omit=optional has none.
    let notifier;
    try {
      notifier = (await import('node-notifier')).default;
    } catch {
      available = false;
      onUnavailable(`desktop notifications are off: node-notifier, an optional dependency of cctrial, is not installed (install it next to cctrial, or ${HIDE_HINT}).`);
      return;
    }
    // Settles when the notifier has done its part (it looks for notify-send first, then runs it).
    await new Promise<void>((resolve) =>
      notifier.notify({ title, message: body, wait: false }, (error) => {
        resolve();
        if (!error || !available) return;
        available = false;
        onUnavailable(`desktop notifications are off: ${error.message.trim()} (${HIDE_HINT}).`);
      }),
    );
  };
}
