/**
 * One cctrial session: the watcher, the loop, the engine and the notifier wired together. The loop
 * decides; this module carries out its commands, in order, and feeds back the facts: what a run
 * gave, and which changes can change a verdict (watch/ignore.ts, watch/relevance.ts).
 */
import { statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { debuglog } from 'node:util';
import type { Engine, RunOutcome } from './engine.js';
import type { EventSink } from './events.js';
import { createLoop, fixState, isEager, nextRunToPrepare, step, type LoopCommand, type LoopEvent, type LoopPhase } from './loop.js';
import type { Notify } from './notify.js';
import { toTestRef } from './results/summary.js';
import { writeResultsFile } from './results-file.js';
import { defaultCacheDir, StateStore } from './saved-state.js';
import { IgnoreRules } from './watch/ignore.js';
import { relevantChange } from './watch/relevance.js';
import { DeliveredStamps } from './watch/stamps.js';
import { batchOf, watchFolders, type ChangeBatch, type Watcher } from './watch/watcher.js';

const debug = debuglog('cctrial');

export interface SessionControls {
  /** Feeds a key press or a signal into the loop. */
  dispatch(event: LoopEvent): void;
  /** Resolves with the exit code once the loop has exited and everything is closed; rejects when a `--once` run failed inside cctrial. */
  exited: Promise<number>;
}

interface CurrentRun {
  phase: LoopPhase;
  controller: AbortController;
  startedAt: number;
  /** Changes during the run that nothing known made relevant yet: judged again with the module graph the run recorded. */
  held: ChangeBatch[];
}

export async function startSession(engine: Engine, emit: EventSink, notify: Notify): Promise<SessionControls> {
  const { once, forever, smart } = engine.options;
  let loop = createLoop({ once, forever, smart });
  let current: CurrentRun | undefined;
  /** When the last run went on: what was written then may be the tests' own writes, reported late. */
  let lastRun: { startedAt: number; endedAt: number } | undefined;
  const delivered = new DeliveredStamps();
  let watcher: Watcher | undefined;
  let watchedRoots: string[] = [];
  let ignoreRules: IgnoreRules | undefined;
  // Commands run one after the other, and some (reading the workspace again) take time.
  let commands = Promise.resolve();
  let notifying = Promise.resolve();
  let resolveExit!: (code: number) => void;
  let rejectExit!: (error: unknown) => void;
  const exited = new Promise<number>((resolve, reject) => ((resolveExit = resolve), (rejectExit = reject)));
  /** Why a --once run could not be carried out: the CLI reports it as a usage error or as a bug, not as failed tests. */
  let runFailure: unknown;
  const relative = (file: string) => path.relative(engine.workspace.root, file);

  const dispatch = (event: LoopEvent) => {
    const next = step(loop, event);
    debug('loop %s: %s -> %s %j', event.type, loop.state.name, next.loop.state.name, next.commands.map((command) => command.type));
    loop = next.loop;
    commands = commands.then(async () => {
      for (const command of next.commands) {
        try {
          await execute(command);
        } catch (error) {
          // One step that fails (the watch set cannot be renewed, say) must not take the next ones with it.
          emit({ type: 'warning', message: `cctrial could not ${command.type.replace('-', ' ')}: ${(error as Error).message}` });
        }
      }
    });
  };

  const start = (phase: LoopPhase, run: (signal: AbortSignal) => Promise<RunOutcome>) => {
    const run_: CurrentRun = { phase, controller: new AbortController(), startedAt: Date.now(), held: [] };
    current = run_;
    run(run_.controller.signal).then(
      ({ report, groups }) => {
        if (current === run_) current = undefined;
        lastRun = { startedAt: run_.startedAt, endedAt: Date.now() };
        // The run has recorded what its tests import: a change held back during it may turn out to count.
        if (!report.aborted) for (const batch of run_.held) judge(batch, undefined);
        dispatch({ type: 'run-finished', phase, results: report.results, groups, aborted: report.aborted });
        // Written down after every suite and recheck, the runs that change what a restart resumes: a session
        // killed at any point resumes from the last of them. A fix run changes none of it, and stays as fast as it is.
        if (!report.aborted && phase !== 'fix') remember();
      },
      (error: Error) => {
        if (current === run_) current = undefined;
        lastRun = { startedAt: run_.startedAt, endedAt: Date.now() };
        if (once) runFailure = error;
        else emit({ type: 'warning', message: `The ${phase} run failed inside cctrial: ${error.message}. cctrial waits for the next change.` });
        dispatch({ type: 'run-failed', phase });
      },
    );
  };

  const execute = async (command: LoopCommand): Promise<void> => {
    switch (command.type) {
      case 'run-suite':
        return start('suite', (signal) => engine.runSuite('suite', { changed: command.changed, onlyAffected: command.onlyAffected, known: loop.known }, signal));
      case 'run-fix':
        emit({ type: 'fix', test: toTestRef(command.target.id) });
        return start('fix', (signal) => engine.runTests('fix', [command.target], loop.known, signal));
      case 'run-recheck':
        return start('recheck', (signal) => engine.runTests('recheck', command.targets, loop.known, signal));
      case 'cancel-run':
        current?.controller.abort();
        current = undefined;
        return;
      case 'reload-workspace':
        await engine.reload();
        return watch();
      case 'update-files':
        return engine.updateFiles(command.created.map(absolute), command.deleted.map(absolute));
      case 'discard-prepared':
        return engine.discardPrepared();
      case 'warn':
        return emit({ type: 'warning', message: command.message });
      case 'wait': {
        // Boot the processes of the run a change will start: only project code is left to load.
        const prepare = nextRunToPrepare(loop);
        if (prepare && 'tests' in prepare) engine.prepareTests(prepare.tests, loop.known);
        else if (prepare) engine.prepareSuite();
        return emit({ type: 'idle' });
      }
      case 'notify':
        // Not awaited here: the loop goes on while the notifier loads and starts.
        notifying = Promise.all([notifying, Promise.resolve(notify(command.notification)).catch(() => {})]).then(() => {});
        return;
      case 'exit':
        // --once --results: the suite's results, for the Nx target that caches them (results-file.ts). None
        // when the run failed inside cctrial: an empty file would read as a project without failures.
        if (engine.options.resultsFile && runFailure === undefined) writeResultsFile(engine.options.resultsFile, loop.known, engine.fileKnowledge());
        current?.controller.abort();
        engine.discardPrepared();
        await watcher?.close();
        // The last notification (the only one with --once --notify) goes out before cctrial exits,
        // unless the notifier hangs.
        const waited = new AbortController();
        await Promise.race([notifying, delay(NOTIFY_EXIT_WAIT_MS, undefined, { signal: waited.signal }).catch(() => {})]);
        waited.abort(); // No timer left behind to keep an embedding process alive.
        return runFailure === undefined ? resolveExit(command.code) : rejectExit(runFailure);
    }
  };
  const absolute = (file: string) => path.resolve(engine.workspace.root, file);

  const remember = () => {
    // A run for a cached Nx target is another cctrial's suite step: the user's own session is not this one.
    if (engine.options.resultsFile) return;
    const fix = fixState(loop);
    const problem = store.save({ files: engine.fileKnowledge(), ...(fix ? { fix } : {}) });
    if (problem) emit({ type: 'warning', message: problem });
  };

  /** Sends the part of a batch that can change a verdict to the loop; holds the rest while a suite or recheck runs. */
  const judge = (batch: ChangeBatch, during: CurrentRun | undefined) => {
    engine.noteChanges(batch.changed);
    const counted = relevantChange(batch, engine.codeKnowledge());
    if (during && during.phase !== 'fix') {
      const counts = new Set(counted.files);
      const rest = batchOf(batch, (file) => !counts.has(file));
      if (rest.changed.length > 0) during.held.push(rest);
    }
    if (counted.files.length === 0) {
      debug('watcher batch of %d files: none can change a verdict', batch.changed.length);
      return;
    }
    const fresh = new Set(delivered.takeChanged(counted.files));
    if (fresh.size === 0) {
      debug('watcher batch: its %d files are as they were when last handed on', counted.files.length);
      return;
    }
    const change = fresh.size === counted.files.length ? counted : relevantChange(batchOf(batch, (file) => fresh.has(file)), engine.codeKnowledge());
    const written = writeTimes(change.files, change.deleted);
    const predatesRun = during !== undefined && written !== undefined && written.every((time) => time < during.startedAt - MTIME_MARGIN_MS);
    const runs = [...(during ? [{ startedAt: during.startedAt, endedAt: Infinity }] : []), ...(lastRun ? [lastRun] : [])];
    const writtenDuringRun =
      written !== undefined && written.every((time) => runs.some((run) => time >= run.startedAt - MTIME_MARGIN_MS && time <= run.endedAt + MTIME_MARGIN_MS));
    if (!predatesRun) emit({ type: 'change', files: change.files.map(relative) });
    else debug('watcher batch of %d files, all written before the run started: %s', change.files.length, change.files.map(relative).join(' '));
    dispatch({
      type: 'change',
      files: change.files.map(relative),
      created: change.created.map(relative),
      deleted: change.deleted.map(relative),
      predatesRun,
      writtenDuringRun,
      workspaceChanged: change.workspaceChanged,
      configChanged: change.configChanged,
    });
  };

  // Batches are judged in the order they came: the ignore rules ask git, which takes a moment.
  let batches = Promise.resolve();
  const onBatch = (batch: ChangeBatch) => {
    batches = batches.then(async () => {
      const kept = new Set(await ignoreRules!.keep(batch.changed));
      const unignored = batchOf(batch, (file) => kept.has(file));
      if (unignored.changed.length < batch.changed.length) debug('watcher batch: %d of %d files ignored', batch.changed.length - unignored.changed.length, batch.changed.length);
      if (unignored.changed.length > 0) judge(unignored, current);
    });
  };

  /** Watches the engine's folders; after the workspace changed, the new set, without missing a change in between. */
  const watch = async () => {
    if (once) return;
    let roots: string[];
    try {
      roots = engine.watchRoots();
    } catch (error) {
      // Only while watching already: the manifest that broke reading the workspace is watched, and its fix brings a new try.
      if (!watcher) throw error;
      debug('watch roots unchanged: %s', (error as Error).message);
      return;
    }
    ignoreRules = await IgnoreRules.create(engine.workspace.root, roots, engine.ignoreGlobs);
    if (watcher && roots.join('\n') === watchedRoots.join('\n')) return;
    const previous = watcher;
    watcher = await watchFolders(roots, onBatch, { eager: () => isEager(loop), onWarning: (message) => emit({ type: 'warning', message }) });
    watchedRoots = roots;
    await previous?.close();
  };

  // What the last session learnt; where its fix loop stood, unless --fresh. One run of --once is a verdict of its own.
  const store = new StateStore(engine.options.cacheDir ?? defaultCacheDir(engine.workspace.root), engine.workspace.root, selectionKey(engine));
  const saved = store.load();
  if (saved.problem) emit({ type: 'warning', message: saved.problem });
  if (saved.state) engine.restoreFileKnowledge(saved.state.files);
  const resume = saved.state?.fix && !once && !engine.options.fresh ? saved.state.fix : undefined;

  // Watch before the first run, so that a save during it is not lost.
  await watch();
  if (resume) emit({ type: 'resume', failing: resume.failing.length, groups: resume.groups.length, test: toTestRef(resume.target.id) });
  dispatch({ type: 'start', ...(resume ? { resume } : {}) });
  return { dispatch, exited };
}

/** What was asked for, as typed: a remembered fix loop is resumed only for the same tests. */
function selectionKey(engine: Engine): string {
  const { options } = engine;
  return JSON.stringify([path.relative(engine.workspace.root, options.cwd), options.targets, [...options.excludeProjects].sort(), options.grep ?? null]);
}

/**
 * Linux dates a write by its coarse clock, up to one timer tick behind Date.now(): 4 ms at HZ=250 (measured
 * here: 4.7 ms), 10 ms at HZ=100, more on a loaded virtual machine. Within this margin of a run's start a
 * write is not known to predate it; a test process's last writes come just before its run ends.
 */
const MTIME_MARGIN_MS = 25;
/** How long an exit waits for the last notification to go out. */
const NOTIFY_EXIT_WAIT_MS = 2000;

/**
 * When each file was last written, or renamed into place (which sets ctime): undefined when a file
 * went, as nothing then says when. The tail of a burst can arrive after the run it triggered has
 * started; what was written before a run started is already in what it reads.
 */
function writeTimes(files: string[], deleted: string[]): number[] | undefined {
  if (deleted.length > 0) return undefined;
  const times: number[] = [];
  for (const file of files) {
    try {
      const stat = statSync(file);
      times.push(Math.max(stat.mtimeMs, stat.ctimeMs));
    } catch {
      return undefined;
    }
  }
  return times;
}
