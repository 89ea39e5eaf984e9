#!/usr/bin/env node
/** The command line: flags to options, options to a run, a run to an exit code. Only this module exits. */
import path from 'node:path';
import { Engine } from './engine.js';
import { ConfigError } from './errors.js';
import type { EventSink } from './events.js';
import { checkFolders, helpText, outputRelayedByTaskRunner, parseOptions, underTaskRunner, type Options } from './options.js';
import { killAllGroups } from './runner/process-group.js';
import { createJsonView } from './ui/json-view.js';
import { createPlainView } from './ui/plain-view.js';
import { colors } from './ui/colors.js';
import { createTerminalView } from './ui/terminal-view.js';
import { neutralizeControls } from './ui/terminal-text.js';
import { keysHelp, listenForKeys } from './ui/keys.js';
import { createNotifier, notifierProblem, type Notify } from './notify.js';
import { startSession } from './session.js';
import { initHint, initWorkspace } from './init.js';
import { missingInstallWarning } from './workspace/root.js';
import { exclusionNotice, formatSettings } from './config/print.js';
import { REPORT_TO, VERSION } from './version.js';

export const EXIT_GREEN = 0;
export const EXIT_USAGE = 2;
/** A bug in cctrial: EX_SOFTWARE of sysexits.h, so that it is never taken for failed tests (1) or a usage error (2). */
export const EXIT_INTERNAL = 70;
/** Nobody reads the output any more (`cctrial | head -1`): what a shell reports for a writer killed by SIGPIPE. */
export const EXIT_OUTPUT_CLOSED = 128 + 13;


// Installed first, so that no write to a closed pipe can ever throw EPIPE at the user, whatever runs.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => outputFailed(stream));

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init') {
    const options = parseOptions(argv.slice(1));
    checkFolders(options);
    return init(options);
  }
  const options = parseOptions(argv);
  checkFolders(options);
  if (options.help) {
    process.stdout.write(helpText(VERSION) + '\n');
    return EXIT_GREEN;
  }
  if (options.version) {
    process.stdout.write(VERSION + '\n');
    return EXIT_GREEN;
  }
  return run(options);
}

async function init(options: Options): Promise<number> {
  const changes = await initWorkspace(options.cwd);
  process.stdout.write(changes.length === 0 ? 'cctrial init: nothing to change, already set up.\n' : changes.map((change) => `cctrial init: ${change}\n`).join(''));
  process.stdout.write(initHint(options.cwd) + '\n');
  return EXIT_GREEN;
}

async function run(options: Options): Promise<number> {
  let view: EventSink = () => {};
  const emit: EventSink = (event) => view(event);
  const engine = await Engine.create(options, emit);
  if (options.printConfig) return printConfig(engine);
  if (engine.files.length === 0) {
    const where = engine.selection.pathFilters
      ? engine.selection.pathFilters.map((filter) => path.relative(options.cwd, filter) || '.').join(', ')
      : engine.selection.projects.map((project) => project.name).join(', ') || engine.workspace.root;
    throw new ConfigError(`No test files found in ${where}. ${noFilesAdvice(engine)}`);
  }
  // The view takes over the terminal (the status line hides the cursor): only once nothing can fail before the session.
  const ui = createView(options, engine.workspace.root);
  view = ui.sink;
  const notice = exclusionNotice(engine.excludedProjects());
  if (notice) emit({ type: 'warning', message: notice });
  const installWarning = missingInstallWarning(engine.workspace, engine.selection.projects.map((project) => project.root));
  if (installWarning) emit({ type: 'warning', message: installWarning });
  const notify = await notifications(options, emit);
  try {
    await engine.setUp();
    const session = await startSession(engine, emit, notify);
    quitSession = () => session.dispatch({ type: 'quit' });
    const stopKeys = interactive(options)
      ? listenForKeys(process.stdin, (action) => (action === 'help' ? ui.print(keysHelp()) : session.dispatch({ type: action })))
      : undefined;
    const code = await session.exited;
    stopKeys?.();
    return signalExitCode ?? code;
  } finally {
    await engine.tearDown();
    ui.close();
  }
}

/** The notifier, and its notice when it cannot work: at start-up, before any run, and not under Nx or Turborepo. */
async function notifications(options: Options, emit: EventSink): Promise<Notify> {
  if (!(options.notify ?? !options.once)) return () => {};
  const warn = underTaskRunner(process.env) ? () => {} : (message: string) => emit({ type: 'warning', message });
  const problem = await notifierProblem();
  if (problem) {
    warn(problem);
    return () => {};
  }
  return createNotifier(warn);
}

/** Why nothing was found, in the terms of the projects' own settings. */
function noFilesAdvice(engine: Engine): string {
  const selected = engine.selection.projects.map((project) => engine.settings.get(project.root)!);
  if (selected.length > 0 && selected.every((settings) => settings.excluded)) return 'Every selected project is left out: "cctrial --print-config" says why.';
  const quoted = selected.filter((settings) => !settings.excluded && settings.include.some((glob) => !glob.shell && /[*?[{]/.test(glob.pattern)));
  if (quoted.length > 0 && Number(process.versions.node.split('.')[0]) < 21) {
    return `Node ${process.versions.node} does not expand the quoted globs of ${quoted.map((settings) => settings.project.name).join(', ')}'s test script (Node 21+ does), so its own test command finds no file either. Run on Node 22 or newer, or set "include" in the project's "cctrial" config.`;
  }
  return "cctrial looks where each project's test script looks, or for node --test's default patterns (*.test.js, test/**/*.js, ... and their .ts variants); \"cctrial --print-config\" shows what each project runs.";
}

function printConfig(engine: Engine): number {
  const root = engine.workspace.root;
  const blocks = engine.selection.projects.map((project) => {
    const files = engine.files.filter((file) => file.projectRoot === project.root).map((file) => path.relative(project.root, file.absolute).split(path.sep).join('/'));
    return formatSettings(engine.settings.get(project.root)!, root, files);
  });
  process.stdout.write(`Workspace ${root}\nPrecedence: command line, then cctrial config, then the test script, then node --test's defaults.\n\n${blocks.join('\n\n')}\n`);
  return EXIT_GREEN;
}

/** The TTY decision, made once: NDJSON, the status-line view, or plain lines. */
function createView(options: Options, root: string): { sink: EventSink; print(text: string): void; close(): void } {
  const write = (text: string) => void process.stdout.write(text);
  if (options.json) return { sink: createJsonView(write), print: write, close() {} };
  if (!process.stdout.isTTY) return { sink: createPlainView(write, root, options.verbose), print: write, close() {} };
  if (!outputRelayedByTaskRunner(process.env)) return createTerminalView(process.stdout, root, options.verbose);
  // Plain lines, still into a terminal: what the tests print must not move its cursor or clear it.
  // At most 80 columns: Nx's pane can be narrower than the terminal it reports (88 of 140 columns, seen).
  const print = (text: string) => write(neutralizeControls(text, colors.isColorSupported));
  return { sink: createPlainView(print, root, options.verbose, () => Math.min(process.stdout.columns || 80, 80)), print, close() {} };
}

/** Keys need a terminal on both ends, and a session that waits for them. */
function interactive(options: Options): boolean {
  return !options.json && !options.once && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** The first signal asks the session to stop cleanly; without a session, or on a second signal, stop now. */
let quitSession: (() => void) | undefined;
let signalExitCode: number | undefined;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (signalExitCode !== undefined || !quitSession) {
      killAllGroups();
      process.exit(code);
    }
    signalExitCode = code;
    quitSession();
  });
}
// The terminal is gone: nobody reads the output, and on Node 20 exiting normally would abort while
// resetting the dead terminal (nodejs/node#51519). Kill the children, then die of the signal itself.
process.once('SIGHUP', () => {
  killAllGroups();
  process.kill(process.pid, 'SIGHUP');
});

/**
 * stdout or stderr can no longer be written. A terminal that has just closed fails (EIO) before its
 * SIGHUP arrives: take the hangup's way out. A pipe whose reader is gone (`cctrial --json | head -1`)
 * fails with EPIPE: end the test processes and exit at once, quietly, as a writer killed by SIGPIPE
 * would (Node ignores SIGPIPE, so cctrial cannot die of it).
 */
let outputClosed = false;
function outputFailed(stream: NodeJS.WriteStream): void {
  if (outputClosed) return;
  outputClosed = true;
  if (stream.isTTY) {
    process.kill(process.pid, 'SIGHUP');
    return;
  }
  killAllGroups();
  process.exit(EXIT_OUTPUT_CLOSED);
}

/** A bug in cctrial: one paragraph that says so and where to report it, then the stack, and exit code 70. */
function internalError(error: unknown): void {
  killAllGroups();
  const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `thrown value: ${String(error)}`;
  process.stderr.write(
    `cctrial: internal error: this is a bug in cctrial ${VERSION}, not in your tests or your configuration. ` +
      `Please report it to ${REPORT_TO}, with the command you ran, your Node version (${process.version}) and the stack below; ` +
      `running it again may work around it.\n\n${stack}\n`,
  );
  process.exitCode = EXIT_INTERNAL;
}

// An exception that escapes a callback (a watcher event, a timer) is a bug too, and must not exit with 1 (tests failed).
process.on('uncaughtException', (error) => {
  internalError(error);
  process.exit(EXIT_INTERNAL);
});
process.on('unhandledRejection', (reason) => {
  internalError(reason);
  process.exit(EXIT_INTERNAL);
});

main(process.argv.slice(2)).then(
  (code) => {
    killAllGroups();
    // Exit explicitly: a test's stray handle in this process (a notifier child, say) must not keep cctrial alive.
    // The report's last write may have failed just now, before the stream's 'error' event: the output was closed.
    process.stdout.write('', (error) => process.exit(error || outputClosed ? EXIT_OUTPUT_CLOSED : code));
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`cctrial: ${error.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      internalError(error);
      process.stderr.write('', () => process.exit(EXIT_INTERNAL));
    }
  },
);
