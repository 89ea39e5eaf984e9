/**
 * Module customization hooks for module.register(), the last resort of modules.ts: Node before 22.15
 * with its internals out of reach. They run on Node's hooks thread, so every file URL is posted to
 * the test child, which drains the port synchronously when it reports.
 */
import type { InitializeHook, LoadHook } from 'node:module';
import type { MessagePort } from 'node:worker_threads';

let port: MessagePort | undefined;

export const initialize: InitializeHook<{ port: MessagePort }> = (data) => {
  port = data.port;
};

export const load: LoadHook = (url, context, nextLoad) => {
  // Posted before loading: a module that fails to parse or to compile is in the graph too.
  if (url.startsWith('file:') && !url.includes('/node_modules/')) port?.postMessage(url);
  return nextLoad(url, context);
};
