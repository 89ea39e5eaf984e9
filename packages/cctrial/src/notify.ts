/**
 * Desktop notifications after each run, through node-notifier (notify-send on Linux, Notification
 * Center on macOS, toasts on Windows). Not essential: when no notifier works, warn once and go on.
 */
import type { Notification } from './loop.js';

export type Notify = (notification: Notification) => void | Promise<void>;

export function createNotifier(onUnavailable: (message: string) => void): Notify {
  let available = true;
  return async ({ title, body }) => {
    if (!available) return;
    // Loaded on first use: it is a seventh of cctrial's start-up otherwise.
    const notifier = (await import('node-notifier')).default;
    notifier.notify({ title, message: body, wait: false }, (error) => {
      if (!error || !available) return;
      available = false;
      onUnavailable(`desktop notifications are off: ${error.message.trim()} (pass --no-notify to hide this notice).`);
    });
  };
}
