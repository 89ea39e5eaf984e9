/**
 * Records the files a test file loads, so that the watcher can start runs only for changes to code
 * some test imported. ES modules through a load hook set before the test file loads (in-thread
 * module.registerHooks, else the loader's own load() or, last, module.register()); CommonJS through
 * require.cache, read when the file is done.
 */
import { realpathSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ChildFrame } from './protocol.js';

/** Keeps the frame bounded: past this many files the list is cut short and marked partial. */
export const MODULES_LIMIT = 20_000;

type LoadSync = (url: string, context: object, nextLoad: (url: string, context?: object) => object) => object;
type ResolveSync = (
  specifier: string,
  context: { parentURL?: string },
  nextResolve: (specifier: string, context?: object) => { url: string },
) => { url: string };
interface SyncHooksApi {
  /** Node 22.15+, 23.5+: hooks that run in-thread, for import and require alike. */
  registerHooks?(hooks: { load: LoadSync; resolve?: ResolveSync }): unknown;
}
interface EsmLoader {
  load(url: string, ...rest: unknown[]): unknown;
  resolve?(specifier: string, parentURL: string | undefined, ...rest: unknown[]): unknown;
  resolveSync?(specifier: string, parentURL: string | undefined, ...rest: unknown[]): unknown;
}
interface CjsModule {
  filename: string;
  children?: CjsModule[];
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
 * In a shared process a module that an earlier file loaded is not loaded again: a file's modules are
 * then those its imports reach, so every import's resolution is kept (module URL → what it imports).
 */
let imports: Map<string, Set<string>> | undefined;

function recordImport(parentURL: string | undefined, url: unknown): void {
  if (!imports || !parentURL || typeof url !== 'string' || !url.startsWith('file:')) return;
  let list = imports.get(parentURL);
  if (!list) imports.set(parentURL, (list = new Set()));
  list.add(url);
}

/**
 * Starts recording: call before the test file is loaded. Measured on a warm child importing 100
 * modules: module.register() on Node 20 starts Node's hooks thread when no loader has (+80 ms at
 * boot) and makes each import a round trip to it (+0.7 ms a module), so it is the last resort.
 */
export function recordModules(options: { shared?: boolean } = {}): void {
  if (options.shared) imports = new Map();
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
      ...(imports && {
        resolve(specifier, context, nextResolve) {
          const resolved = nextResolve(specifier, context);
          recordImport(context.parentURL, resolved.url);
          return resolved;
        },
      }),
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
    if (imports) wrapResolve(loader);
    return true;
  } catch {
    return false;
  }
}

/** Keeps what each import resolved to (Node before 22.15: resolve may answer with a promise). */
function wrapResolve(loader: EsmLoader): void {
  for (const name of ['resolve', 'resolveSync'] as const) {
    const resolve = loader[name];
    if (typeof resolve !== 'function') continue;
    loader[name] = function resolveRecorded(this: EsmLoader, specifier: string, parentURL: string | undefined, ...rest: unknown[]) {
      const resolved = resolve.call(this, specifier, parentURL, ...rest);
      const keep = (value: unknown) => recordImport(parentURL, (value as { url?: unknown } | undefined)?.url);
      if (resolved instanceof Promise) resolved.then(keep, () => {});
      else keep(resolved);
      return resolved;
    };
  }
}

/**
 * The modules frame of one file of a shared process: what the file loaded while it ran, and what
 * its imports reach that earlier files loaded. `early` when the file's code did not all run.
 */
export function takeFileModulesFrame(testFile: string, early: boolean): ChildFrame {
  for (let message = port && receiveMessageOnPort(port); message; message = receiveMessageOnPort(port!)) urls.add(message.message as string);
  const reached = new Set<string>();
  let real = testFile;
  try {
    real = realpathSync(testFile);
  } catch {
    // Gone since: its own path is all there is.
  }
  const pending = [pathToFileURL(testFile).href, pathToFileURL(real).href];
  for (let url = pending.pop(); url !== undefined; url = pending.pop()) {
    if (reached.has(url)) continue;
    reached.add(url);
    pending.push(...(imports?.get(url) ?? []));
  }
  const found = new Set<string>();
  for (const url of [...urls, ...reached]) {
    try {
      found.add(fileURLToPath(url));
    } catch {
      // Not a local path.
    }
  }
  // CommonJS: a cached module is still listed among the children of each module that requires it.
  const cache = createRequire(import.meta.url).cache as Record<string, CjsModule | undefined>;
  const visited = new Set<CjsModule>();
  const modules = [cache[real], cache[testFile]].filter((module): module is CjsModule => module !== undefined);
  for (let module = modules.pop(); module; module = modules.pop()) {
    if (visited.has(module)) continue;
    visited.add(module);
    found.add(module.filename);
    modules.push(...(module.children ?? []));
  }
  urls.clear();
  const list = [...found].filter((file) => path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(OWN_FOLDER));
  const partial = early || SELECTED || list.length > MODULES_LIMIT;
  return { type: 'modules', data: { files: list.slice(0, MODULES_LIMIT), ...(partial ? { partial: true as const } : {}) } };
}

/** The modules frame, once: undefined after the first call. `early` when the file's code did not all run. */
export function takeModulesFrame(early: boolean): ChildFrame | undefined {
  // A shared process reports each file's modules as the file ends (takeFileModulesFrame).
  if (reported || imports) return undefined;
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
