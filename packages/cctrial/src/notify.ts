/**
 * Desktop notifications after each run, through node-notifier (notify-send on Linux, Notification
 * Center on macOS, toasts on Windows). Not essential: when no notifier works, warn once and go on.
 */
import notifier from 'node-notifier';
import type { Notification } from './loop.js';

export type Notify = (notification: Notification) => void;

export function createNotifier(onUnavailable: (message: string) => void): Notify {
  let available = true;
  return ({ title, body }) => {
    if (!available) return;
    notifier.notify({ title, message: body, wait: false }, (error) => {
      if (!error || !available) return;
      available = false;
      onUnavailable(`desktop notifications are off: ${error.message.trim()} (pass --no-notify to hide this notice).`);
    });
  };
}
