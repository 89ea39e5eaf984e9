/**
 * One cctrial session: the watcher, the loop, the engine and the notifier wired together. The loop
 * decides; this module only carries out its commands and feeds back what happened.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { debuglog } from 'node:util';
import type { Engine, RunOutcome } from './engine.js';
import type { EventSink } from './events.js';
import { createLoop, step, type LoopCommand, type LoopEvent, type LoopPhase } from './loop.js';
import type { Notify } from './notify.js';
import { toTestRef } from './results/summary.js';
import type { TestResult } from './results/types.js';
import { watchFolders, type ChangeBatch, type Watcher } from './watcher.js';

const debug = debuglog('cctrial');

export interface SessionControls {
  /** Feeds a key press or a signal into the loop. */
  dispatch(event: LoopEvent): void;
  /** Resolves with the exit code once the loop has exited and everything is closed. */
  exited: Promise<number>;
}

export async function startSession(engine: Engine, emit: EventSink, notify: Notify): Promise<SessionControls> {
  const { once, forever } = engine.options;
  let loop = createLoop({ once, forever });
  let current: AbortController | undefined;
  let currentStartedAt = 0;
  /** Results of the last complete suite run: they say which tests have subtests. */
  let known: TestResult[] = [];
  let expectedTests: number | null = null;
  let watcher: Watcher | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const dispatch = (event: LoopEvent) => {
    const next = step(loop, event);
    debug('loop %s: %s -> %s %j', event.type, loop.state.name, next.loop.state.name, next.commands.map((command) => command.type));
    loop = next.loop;
    for (const command of next.commands) execute(command);
  };

  const start = (phase: LoopPhase, run: (signal: AbortSignal) => Promise<RunOutcome>) => {
    const controller = new AbortController();
    current = controller;
    currentStartedAt = Date.now();
    run(controller.signal).then(
      ({ report, groups }) => {
        if (current === controller) current = undefined;
        if (phase === 'suite' && !report.aborted) {
          known = report.results;
          expectedTests = known.length;
        }
        dispatch({ type: 'run-finished', phase, results: report.results, groups, aborted: report.aborted });
      },
      (error: Error) => {
        emit({ type: 'warning', message: `the ${phase} run failed: ${error.message}` });
        dispatch({ type: 'quit' });
      },
    );
  };

  const execute = (command: LoopCommand) => {
    switch (command.type) {
      case 'run-suite':
        return start('suite', (signal) => engine.runSuite('suite', expectedTests, signal));
      case 'run-fix':
        emit({ type: 'fix', test: toTestRef(command.target.id) });
        return start('fix', (signal) => engine.runTests('fix', [command.target], known, signal));
      case 'run-recheck':
        return start('recheck', (signal) => engine.runTests('recheck', command.targets, known, signal));
      case 'cancel-run':
        current?.abort();
        current = undefined;
        return;
      case 'wait':
        prepareNextRun();
        return emit({ type: 'idle' });
      case 'notify':
        void notify(command.notification);
        return;
      case 'exit':
        current?.abort();
        engine.discardPrepared();
        void (watcher?.close() ?? Promise.resolve()).finally(() => resolveExit(command.code));
        return;
    }
  };

  // While waiting, boot the processes of the run a change will start: only project code is left to load.
  const prepareNextRun = () => {
    if (loop.state.name === 'waiting-for-fix' && loop.target) engine.prepareTests([loop.target], known);
    else if (loop.state.name === 'idle') engine.prepareSuite();
  };

  const onBatch = (batch: ChangeBatch) => {
    if (current && seenByRunStartedAt(batch, currentStartedAt)) {
      debug('watcher batch of %d files predates the running run: already seen', batch.changed.length);
      return;
    }
    // Booted children know the old file list and configuration; code changes alone do not stale them,
    // and leave the file list as it is: a save costs no discovery work.
    const filesCameOrWent = batch.created.length > 0 || batch.deleted.length > 0;
    if (filesCameOrWent || batch.changed.some(isConfigurationFile)) engine.discardPrepared();
    if (filesCameOrWent) engine.updateFiles(batch.created, batch.deleted);
    emit({ type: 'change', files: batch.changed.map((file) => path.relative(engine.workspace.root, file)).sort() });
    dispatch({ type: 'change' });
  };

  // Watch before the first run, so that a save during it is not lost.
  // Fix runs are cheap to restart, so a lone save starts one at once; anything else waits for a burst to settle.
  const fixing = () => loop.state.name === 'waiting-for-fix' || (loop.state.name === 'running' && loop.state.phase === 'fix');
  const onWarning = (message: string) => emit({ type: 'warning', message });
  if (!once) watcher = await watchFolders(engine.watchRoots(), onBatch, { eager: fixing, onWarning });
  dispatch({ type: 'start' });
  return { dispatch, exited };
}

/** Files that loaders and Node read at start-up: a change there stales a booted child. */
function isConfigurationFile(file: string): boolean {
  const name = path.basename(file);
  return name === 'package.json' || /^tsconfig.*\.json$/.test(name) || name === '.env';
}

/** Coarse file-system clocks can date a write a few milliseconds early. */
const MTIME_MARGIN_MS = 5;

/**
 * The tail of a burst can arrive after the run it triggered has started. Edits written before the
 * run started are already in what the run reads, so they need no new run; anything else does.
 */
function seenByRunStartedAt(batch: ChangeBatch, startedAt: number): boolean {
  if (batch.created.length > 0 || batch.deleted.length > 0) return false;
  return batch.changed.every((file) => {
    try {
      return statSync(file).mtimeMs < startedAt - MTIME_MARGIN_MS;
    } catch {
      return false;
    }
  });
}
