/**
 * The main module of every test child: `node [flags] --test-reporter=<reporter> entry.js [<test file>]`.
 * Running the file in-process, rather than under `node --test`, halves the start-up cost of a child
 * and lets us report what node:test cannot: where process.exit() was called, and why a file failed to load.
 * The file still runs as the main module, as node --test runs it: `require.main === module` and
 * `import.meta.main` hold.
 *
 * Without a file argument the child is pre-warmed: Node, the loader, node:test and the reporter are
 * loaded, then it waits for one line on stdin, `{"files"}`, before importing any project code.
 * A shared child (SHARED_ENV set) runs several files, one after another, as --test-isolation=none does.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import 'node:test';
import { applyDefaultTimeout, DEFAULT_TIMEOUT_ENV } from './default-timeout.js';
import { recordModules, takeFileModulesFrame, takeModulesFrame } from './modules.js';
import { setChannelSecret, writeFrame } from './channel.js';
import { guardParentSignals } from './parent-signals.js';
import { HEARTBEAT_MS } from './protocol.js';
import { serializeError } from './serialize-error.js';
import { endFileInOrder, fileOver, followTopLevelTests, keepRootOpen, releaseRoot, SHARED_ENV, topLevelCount } from './shared-files.js';

export interface GoMessage {
  /** One file; several only in a shared child, run in this order. */
  files: string[];
  /** Every frame carries it: see protocol.ts. */
  secret?: string;
  /** cctrial's pid, which test code must not signal. */
  parentPid?: number;
}

const require = createRequire(import.meta.url);
const MAJOR = Number(process.versions.node.split('.')[0]);
const defaultTimeoutMs = Number(process.env[DEFAULT_TIMEOUT_ENV]);
delete process.env[DEFAULT_TIMEOUT_ENV];
if (defaultTimeoutMs > 0) applyDefaultTimeout(defaultTimeoutMs);
const shared = process.env[SHARED_ENV] === '1' && followTopLevelTests();
delete process.env[SHARED_ENV];
// Before the go message: a warm child pays for the hooks while it waits.
recordModules({ shared });
const go: GoMessage = process.argv[2] ? { files: [process.argv[2]] } : await waitForGo();
setChannelSecret(go.secret ?? '');
guardParentSignals(go.parentPid ?? process.ppid);
let testFile = go.files[0]!;
/** In a shared child, each file reports its modules once, when it ends or the process does. */
let fileModulesReported = false;
const reportModules = (early: boolean) => {
  if (shared && fileModulesReported) return;
  fileModulesReported = true;
  const frame = shared ? takeFileModulesFrame(testFile, early) : takeModulesFrame(early);
  if (frame) writeFrame(frame);
};
let loading = true;
let exitCalled = false;
process.once('exit', () => {
  // Node exits with code 13 for an unsettled top-level await only when nothing else set an exit
  // code: after a failed test it is 1, and only here can it be seen that the file never finished loading.
  if (loading && !exitCalled) writeFrame({ type: 'load-unsettled', data: {} });
  // A file that declares no tests never starts the reporter, which otherwise writes them before 'end'.
  reportModules(false);
});

const realExit = process.exit.bind(process);
process.exit = function exit(code?: number | string | null) {
  const exitCode = Number(code ?? process.exitCode ?? 0);
  exitCalled = true;
  // The stack starts at the caller: this wrapper is no part of the test's story.
  const call: { stack?: string } = {};
  Error.captureStackTrace(call, exit);
  reportModules(true);
  writeFrame({ type: 'exit-called', data: { code: exitCode, stack: `Error: process.exit() called${call.stack?.replace(/^Error\n?/, '\n') ?? ''}` } });
  return realExit(exitCode);
} as typeof process.exit;

// Tells the watchdog that the event loop still turns: a test may wait as long as its own timeout allows.
setInterval(() => writeFrame({ type: 'alive', data: {} }), HEARTBEAT_MS).unref();
// The event loop ran out of work. If node:test has not finished, from Node 24 it keeps the process
// alive until its running tests end, with an interval of its own: the heartbeats then prove nothing
// (a test whose thrown value broke node:test never ends). Before the listener node:test adds.
process.on('beforeExit', () => writeFrame({ type: 'loop-idle', data: {} }));

const reportLoadError = (error: unknown) => {
  if (!loading) return;
  loading = false;
  reportModules(true);
  writeFrame({ type: 'load-error', data: { error: serializeError(error) } });
};
// An ES module that fails to load ends the process from inside runMain, before any catch here runs.
process.on('uncaughtExceptionMonitor', reportLoadError);

if (!shared) {
  process.argv.splice(1, process.argv.length - 1, testFile);
  try {
    await loadAsMain(testFile);
  } catch (error) {
    reportLoadError(error);
    // Rethrow so that Node prints its own report, which for a syntax error is the only one naming the line.
    throw error;
  }
} else {
  keepRootOpen();
  for (const [index, file] of go.files.entries()) {
    testFile = file;
    [loading, fileModulesReported] = [true, false];
    process.argv.splice(1, process.argv.length - 1, file);
    const firstTest = topLevelCount();
    try {
      // An ES module is imported, not run through runMain: its load error is then this file's, not the process's end.
      await importPreloadsAgain();
      if (!isModuleFile(file)) await runAsMain(file);
      // What runMain loaded as an ES module (by syntax detection) is awaited here; CommonJS comes from require.cache.
      await import(pathToFileURL(file).href);
      loading = false;
    } catch (error) {
      reportLoadError(error);
      // Printed as node would print it, in this file's output: the next file runs in the same process.
      console.error(error);
    }
    await fileOver(firstTest);
    await endFileInOrder(index, () => {
      reportModules(false);
      // What the file's own process would have exited with; the next file starts from none.
      const exitCode = Number(process.exitCode ?? 0) || 0;
      process.exitCode = undefined;
      writeFrame({ type: 'file-end', data: { index, exitCode } });
    });
  }
  releaseRoot();
}

/**
 * runMain loads the file as the entry point, as `node file` would. With --import, though, runMain
 * first imports the preloads again, now through the hooks they registered, and such a hook may not
 * resolve its own name (swc-node's cannot). Before Node 24 node --test's child meets the preloads once,
 * before their hooks exist, so there, when node's internals are at hand, the file is imported as
 * runMain's last step imports it, as the entry point, without the second round. From Node 24 on,
 * node --test's child meets them a second time too, and fails with such a hook: runMain does the same.
 * (test/conformance/corpus.ts has the case.)
 */
function runAsMain(file: string): Promise<unknown> | void {
  const preloaded = MAJOR < 24 ? preloadsAndLoader() : undefined;
  if (preloaded) return preloaded.loader.import(pathToFileURL(file).href, undefined, { __proto__: null }, true);
  (require('node:module') as { runMain(main: string): void }).runMain(file);
}

/** A shared child imports ES modules itself: from Node 24 on it meets the preloads again first, as node --test's child does. */
async function importPreloadsAgain(): Promise<void> {
  const preloaded = MAJOR >= 24 ? preloadsAndLoader() : undefined;
  if (!preloaded) return;
  const parentURL = pathToFileURL(process.cwd() + path.sep).href;
  for (const preload of preloaded.preloads) await preloaded.loader.import(preload, parentURL, { __proto__: null });
}

interface EsmLoader {
  import(url: string, parentURL: string | undefined, attributes: object, isEntryPoint?: boolean): Promise<unknown>;
}

/** The --import preloads and Node's ESM loader, when the child has preloads and runs with --expose-internals (launch-spec.ts). */
function preloadsAndLoader(): { preloads: string[]; loader: EsmLoader } | undefined {
  try {
    const { getOptionValue } = require('internal/options') as { getOptionValue(name: string): string[] };
    const preloads = getOptionValue('--import');
    if (preloads.length === 0) return undefined;
    return { preloads, loader: (require('internal/modules/esm/loader') as { getOrInitializeCascadedLoader(): EsmLoader }).getOrInitializeCascadedLoader() };
  } catch {
    return undefined;
  }
}

async function loadAsMain(file: string): Promise<void> {
  await runAsMain(file);
  // For an ES module runMain returns at once; importing the same URL waits for that very load.
  if (!require.cache[file] && !require.cache[realpathSync(file)]) await import(pathToFileURL(file).href);
  loading = false;
}

/** Whether Node loads the file as an ES module by its name or its package's `type` (syntax detection aside). */
function isModuleFile(file: string): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  if (/\.c[jt]s$/.test(file)) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown }).type === 'module';
    } catch {
      if (path.dirname(dir) === dir) return false;
    }
  }
}

async function waitForGo(): Promise<GoMessage> {
  const lines = createInterface({ input: process.stdin });
  const [line] = await lines[Symbol.asyncIterator]().next().then((result) => (result.done ? [] : [result.value]));
  lines.close();
  // stdin stays open in a warm child; tests must see it as they would under node --test: empty.
  process.stdin.destroy();
  if (!line) process.exit(0); // The parent discarded this child without using it.
  return JSON.parse(line) as GoMessage;
}
