/**
 * Records the files a test file loads, so that the watcher can start runs only for changes to code
 * some test imported. ES modules through a load hook set before the test file loads (in-thread
 * module.registerHooks, else the loader's own load() or, last, module.register()); CommonJS through
 * require.cache, read when the file is done.
 */
import Module, { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ChildFrame } from './protocol.js';

/** Keeps the frame bounded: past this many files the list is cut short and marked partial. */
export const MODULES_LIMIT = 20_000;

type LoadSync = (url: string, context: object, nextLoad: (url: string, context?: object) => object) => object;
interface SyncHooksApi {
  /** Node 22.15+, 23.5+: hooks that run in-thread, for import and require alike. */
  registerHooks?(hooks: { load: LoadSync }): unknown;
}
interface EsmLoader {
  load(url: string, ...rest: unknown[]): unknown;
}
interface CjsLoader {
  _resolveFilename(this: unknown, ...args: unknown[]): string;
}

const OWN_FOLDER = path.dirname(fileURLToPath(import.meta.url)) + path.sep;
/** A name pattern, a skip pattern or --test-only chose the tests: code only other tests import did not run. */
const SELECTED = process.execArgv.some((arg) => /^--test-(?:name-pattern|skip-pattern|only)(?:=|$)/.test(arg));

const urls = new Set<string>();
const files = new Set<string>();
let port: MessagePort | undefined;
let reported = false;

/**
 * Starts recording: call before the test file is loaded. Measured on a warm child importing 100
 * modules: module.register() on Node 20 starts Node's hooks thread when no loader has (+80 ms at
 * boot) and makes each import a round trip to it (+0.7 ms a module), so it is the last resort.
 */
export function recordModules(): void {
  const api = Module as unknown as SyncHooksApi;
  // Node 22.15+: in-thread hooks, for import and require alike: ~4 ms at boot, nothing measurable
  // per load. tsx 4.20+ registers its own the same way, and ours, registered last, runs first.
  if (typeof api.registerHooks === 'function') {
    api.registerHooks({
      load(url, context, nextLoad) {
        // Recorded before loading: a module that fails to parse or to compile is in the graph too.
        if (url.startsWith('file:') && !url.includes('/node_modules/')) urls.add(url);
        return nextLoad(url, context);
      },
    });
    return;
  }
  // Older Node: import through the ES module loader (or hooks), require here. Node drops a CommonJS
  // module that threw from require.cache: record it as it resolves. Unlike a wrapped
  // Module.prototype.load, this wrapper is not on the stack of an error the module throws.
  const cjs = Module as unknown as CjsLoader;
  const resolve = cjs._resolveFilename;
  cjs._resolveFilename = function resolveRecorded(...args) {
    const file = resolve.apply(this, args);
    files.add(file);
    return file;
  };
  if (wrapEsmLoader()) return;
  const channel = new MessageChannel();
  port = channel.port1;
  port.unref();
  register(new URL('./module-hooks.js', import.meta.url), { data: { port: channel.port2 }, transferList: [channel.port2] });
}

/**
 * Before Node 24 the child usually runs with --expose-internals (see default-timeout.ts): then the
 * ES module loader's own load() is wrapped, in-thread, at no cost. False when it is not reachable.
 */
function wrapEsmLoader(): boolean {
  try {
    const internals = createRequire(import.meta.url)('internal/modules/esm/loader') as { getOrInitializeCascadedLoader?(): EsmLoader };
    const loader = internals.getOrInitializeCascadedLoader?.();
    const load = loader?.load;
    if (!loader || typeof load !== 'function') return false;
    loader.load = function loadRecorded(this: EsmLoader, url: string, ...rest: unknown[]) {
      // Recorded before loading: a module that fails to parse or to compile is in the graph too.
      if (typeof url === 'string' && url.startsWith('file:') && !url.includes('/node_modules/')) urls.add(url);
      return load.call(this, url, ...rest);
    };
    return true;
  } catch {
    return false;
  }
}

/** The modules frame, once: undefined after the first call. `early` when the file's code did not all run. */
export function takeModulesFrame(early: boolean): ChildFrame | undefined {
  if (reported) return undefined;
  reported = true;
  const list = loadedFiles();
  const partial = early || SELECTED || list.length > MODULES_LIMIT;
  return { type: 'modules', data: { files: list.slice(0, MODULES_LIMIT), ...(partial ? { partial: true as const } : {}) } };
}

function loadedFiles(): string[] {
  // The hooks thread posted each URL before Node loaded it: every one is queued by now.
  for (let message = port && receiveMessageOnPort(port); message; message = receiveMessageOnPort(port!)) urls.add(message.message as string);
  for (const url of urls) {
    try {
      files.add(fileURLToPath(url));
    } catch {
      // Not a local path (a file URL with a host): nothing the watcher could see change.
    }
  }
  for (const key of Object.keys(createRequire(import.meta.url).cache)) files.add(key);
  return [...files].filter((file) => path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(OWN_FOLDER));
}
