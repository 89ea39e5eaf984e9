/**
 * Runs test files, whole or down to single tests, in fresh child processes, and turns what they
 * report into results. A run sees the code as it is on disk now: nothing is reused between runs.
 */
import { existsSync } from 'node:fs';
import type { ChildFrame } from '../child/protocol.js';
import { defaultSettings, timeoutSetByProject, type ProjectSettings } from '../config/settings.js';
import { collectFileRun } from '../results/collect.js';
import { findByPosition, formatTestName, positionKey, testKey } from '../results/identity.js';
import { isFailing, type FileRun, type TestResult } from '../results/types.js';
import type { TestFile } from '../discovery.js';
import { hasNativeTypeStripping, launchSpec, type LaunchContext, type LaunchSpec } from './launch-spec.js';
import { runPool } from './pool.js';
import { PER_TEST_TIMEOUTS, runChild } from './run-file.js';
import { endStrays, markerOf, type Stray } from './process-group.js';
import { filesPerProcess, SharedSplit } from './shared-batch.js';
import { WarmPool } from './warm-pool.js';
import { grepArgs, parseNodeVersion, selectionArgs, type NodeVersion } from './selection.js';

export interface RunnerConfig {
  root: string;
  jobs: number;
  /** What a file's project runs; by default node --test's defaults, with `timeoutMs` and `importModule`. */
  settingsOf?: (file: TestFile) => ProjectSettings;
  timeoutMs?: number;
  importModule?: string;
  /** Silence after which the watchdog kills a child; by default the project's timeout plus a grace. */
  silenceLimitMs?: number;
  /** Export conditions for module resolution (node --conditions). */
  conditions?: string[];
  grep?: string;
  updateSnapshots?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Grace beyond the per-test timeout before a silent child is killed: node:test reports its own timeouts first. */
const WATCHDOG_GRACE_MS = 5_000;
/** With no timeout, a child still may not stay silent for longer than this. */
const SILENCE_LIMIT_WITHOUT_TIMEOUT_MS = 10 * 60_000;

export interface RunProgress {
  onTestStart?(file: TestFile, name: string): void;
  onFileDone?(run: FileRun): void;
  /** The results that count, as each file gives them: for a targeted run, its targets' only. Never for a cancelled run. */
  onResults?(results: TestResult[]): void;
  /** Something to tell the user once, such as a test found by its position because its name keeps changing. */
  onNotice?(message: string): void;
}

export interface RunReport {
  fileRuns: FileRun[];
  /** Results that belong to this run: for a targeted run, the targets only. */
  results: TestResult[];
  durationMs: number;
  aborted: boolean;
}

interface FileJob {
  file: TestFile;
  selection: string[];
  /** When set, only these results count, and a target that did not report is an error. */
  targets?: TestResult[];
}

export class TestRunner {
  private readonly nodeVersion: NodeVersion = parseNodeVersion(process.version);
  private readonly warm = new WarmPool();
  private readonly launch: LaunchContext;
  private readonly settingsOf: (file: TestFile) => ProjectSettings;
  /** Positions (positionKey) of targets whose names changed since they ran: they run with their whole file. */
  private readonly unstableNames = new Set<string>();
  /** The file each test process of the current run ran, by its marker: to name the file that left a process behind. */
  private readonly fileOfMarker = new Map<string, string>();

  constructor(private readonly config: RunnerConfig) {
    this.launch = {
      root: config.root,
      conditions: config.conditions ?? [],
      updateSnapshots: config.updateSnapshots ?? false,
      nativeTypeStripping: hasNativeTypeStripping(),
      env: config.env ?? process.env,
    };
    this.settingsOf =
      config.settingsOf ??
      ((file) => {
        const settings = defaultSettings({ name: file.project, root: file.projectRoot });
        if (config.timeoutMs !== undefined) settings.timeoutMs = config.timeoutMs;
        if (config.importModule) settings.importModule = config.importModule;
        return settings;
      });
  }

  /** Runs every test of these files (filtered by --grep when given). */
  runFiles(files: TestFile[], progress: RunProgress = {}, signal?: AbortSignal): Promise<RunReport> {
    return this.run(this.planFiles(files), progress, signal);
  }

  /**
   * Re-runs exactly these tests. `known` is every result of the files involved, from an earlier
   * run: it says which tests have subtests. A lone target runs alone; several targets in one file
   * run the whole file, filtered down to them.
   */
  runTests(targets: TestResult[], files: TestFile[], known: TestResult[], progress: RunProgress = {}, signal?: AbortSignal): Promise<RunReport> {
    return this.run(this.planTests(targets, files, known), progress, signal, { targets, known });
  }

  /** Boots the children that runFiles(files) will start with. */
  prepareFiles(files: TestFile[]): void {
    this.prepare(this.planFiles(files));
  }

  /** Boots the children that runTests(targets, ...) will use. */
  prepareTests(targets: TestResult[], files: TestFile[], known: TestResult[]): void {
    this.prepare(this.planTests(targets, files, known));
  }

  /** Kills the booted children: a file was added or removed, or the configuration changed. */
  discardPrepared(): void {
    this.warm.discard();
  }

  private planFiles(files: TestFile[]): FileJob[] {
    return files.map((file) => ({ file, selection: this.fileSelection(file) }));
  }

  /** What a suite run selects in this file: the positions of its results hold in runs with the same selection. */
  private fileSelection(file: TestFile): string[] {
    const grep = this.config.grep;
    // A file whose own path matches --grep runs whole.
    return grep && !file.relative.includes(grep) ? grepArgs(grep) : [];
  }

  private planTests(targets: TestResult[], files: TestFile[], known: TestResult[]): FileJob[] {
    const byFile = new Map<string, TestResult[]>();
    for (const target of targets) {
      const list = byFile.get(target.id.file) ?? [];
      list.push(target);
      byFile.set(target.id.file, list);
    }
    const jobs: FileJob[] = [];
    for (const [relative, fileTargets] of byFile) {
      const file = files.find((candidate) => candidate.relative === relative);
      if (!file) continue; // Deleted since: the loop sees the change and rediscovers.
      const only = fileTargets.length === 1 ? fileTargets[0]! : undefined;
      // A name that changes from run to run cannot be selected: its test is found by position in the whole file.
      let selection: string[] = [];
      if (only && this.unstableNames.has(positionKey(only) ?? '')) selection = this.fileSelection(file);
      else if (only) selection = selectionArgs(only, this.nodeVersion, hasSubtests(only, known));
      jobs.push({ file, selection, targets: fileTargets });
    }
    return jobs;
  }

  private prepare(jobs: FileJob[]): void {
    const counts = new Map<string, { spec: LaunchSpec; count: number }>();
    for (const unit of this.units(jobs).slice(0, this.config.jobs)) {
      const spec = this.unitSpec(unit);
      counts.set(spec.key, { spec, count: (counts.get(spec.key)?.count ?? 0) + 1 });
    }
    for (const { spec, count } of counts.values()) this.warm.prepare(spec, count);
  }

  /**
   * The processes a run starts, in order: one job each, except that whole files of a project with
   * isolation `none` share processes, a few files each, so that every worker gets some.
   */
  private units(jobs: FileJob[]): FileJob[][] {
    const keys = new Map(jobs.filter((job) => !job.targets && this.canShare(job.file)).map((job) => [job, this.launchSpec(job).key]));
    const counts = new Map<string, number>();
    for (const key of keys.values()) counts.set(key, (counts.get(key) ?? 0) + 1);
    const units: FileJob[][] = [];
    const filling = new Map<string, FileJob[]>();
    for (const job of jobs) {
      const key = keys.get(job);
      if (key === undefined) {
        units.push([job]);
        continue;
      }
      let unit = filling.get(key);
      if (!unit) {
        units.push((unit = []));
        filling.set(key, unit);
      }
      unit.push(job);
      if (unit.length >= filesPerProcess(counts.get(key)!, this.config.jobs)) filling.delete(key);
    }
    return units;
  }

  /**
   * Before Node 24 node --test applies a project's own --test-timeout to each file as a whole
   * (PER_TEST_TIMEOUTS): only a process of the file's own can be timed that way. node:test writes
   * snapshots for the file its process started with, so files that update them never share.
   */
  private canShare(file: TestFile): boolean {
    const settings = this.settingsOf(file);
    const fileTimeout = !PER_TEST_TIMEOUTS && settings.timeoutMs > 0 && timeoutSetByProject(settings);
    return settings.isolation === 'none' && !fileTimeout && !this.launch.updateSnapshots;
  }

  private unitSpec(unit: FileJob[]): LaunchSpec {
    const first = unit[0]!;
    return launchSpec(first.file.absolute, this.settingsOf(first.file), first.selection, this.launch, unit.length > 1);
  }

  /** `targeted` is given for runTests: the targets, and the results they came from. */
  private async run(jobs: FileJob[], progress: RunProgress, signal: AbortSignal | undefined, targeted?: { targets: TestResult[]; known: TestResult[] }): Promise<RunReport> {
    const startedAt = performance.now();
    const units = this.units(jobs);
    const done = (await runPool(units, this.config.jobs, async (unit, index) => {
      // Boot the child of the unit that will start when this one ends, while this one runs.
      const upcoming = units[index + this.config.jobs];
      if (upcoming && !signal?.aborted) this.warm.add(this.unitSpec(upcoming));
      if (unit.length > 1) return this.sharedFiles(unit, progress, signal);
      const job = unit[0]!;
      const outcome = job.targets && targeted ? await this.runTargets(job, job.targets, targeted.known, progress, signal) : await this.wholeFile(job, progress, signal);
      if (!signal?.aborted) progress.onResults?.(outcome.results);
      return [outcome];
    })).flat();
    this.endStrays(progress);
    const results = done.flatMap((job) => job.results);
    // One result per target, in order: a target whose file is gone did not run.
    const byKey = keyed(results);
    const notRun = targeted ? targeted.targets.filter((target) => !byKey.has(testKey(target.id))).map(targetNotRun) : [];
    if (notRun.length > 0 && !signal?.aborted) progress.onResults?.(notRun);
    for (const result of notRun) byKey.set(testKey(result.id), result);
    return {
      fileRuns: done.map((job) => job.run),
      results: targeted ? targeted.targets.map((target) => byKey.get(testKey(target.id))!) : results,
      durationMs: performance.now() - startedAt,
      aborted: signal?.aborted ?? false,
    };
  }

  /**
   * Runs a file for its targets, and gives each target's result. A target that reports nothing under
   * its name may have a name that changes on every run (`test(\`at ${Date.now()}\`)`): it is then found
   * by its position in a run of the file with the suite's selection, the kind of run its position came from.
   */
  private async runTargets(job: FileJob, targets: TestResult[], known: TestResult[], progress: RunProgress, signal?: AbortSignal): Promise<{ run: FileRun; results: TestResult[] }> {
    let run = await this.runJob(job, progress, signal);
    let byKey = keyed(run.results);
    const suiteSelection = this.fileSelection(job.file);
    let positionsHold = sameArgs(job.selection, suiteSelection);
    const lost = targets.some((target) => positionKey(target) !== undefined && resultForTarget(target, run.results, byKey).failureType === 'notRun');
    if (lost && !positionsHold && !run.aborted && !signal?.aborted) {
      run = await this.runJob({ ...job, selection: suiteSelection }, progress, signal);
      byKey = keyed(run.results);
      positionsHold = true;
    }
    const results = targets.map((target) => {
      const byName = resultForTarget(target, run.results, byKey);
      const position = positionKey(target);
      if (!position || !positionsHold) return byName;
      if (byName.failureType !== 'notRun') {
        this.unstableNames.delete(position); // Its name held still since the run it came from.
        return byName;
      }
      const counterpart = findByPosition(target, run.results, known);
      if (!counterpart) return byName;
      if (!this.unstableNames.has(position)) {
        this.unstableNames.add(position);
        progress.onNotice?.(
          `${formatTestName(target.id)} did not run under that name: its name changes from run to run, or it was renamed. ` +
            `cctrial now finds it by its place in its file (now named ${JSON.stringify(counterpart.id.path.at(-1))}), and re-runs the whole file for it.`,
        );
      }
      // Reported under the target's identity: the loop goes on fixing the test it knows.
      return { ...counterpart, id: target.id, pathKinds: target.pathKinds };
    });
    return { run, results };
  }

  private async wholeFile(job: FileJob, progress: RunProgress, signal?: AbortSignal): Promise<{ run: FileRun; results: TestResult[] }> {
    const run = await this.runJob(job, progress, signal);
    return { run, results: run.results };
  }

  /**
   * Runs whole files in one shared child, then again alone each file whose outcome there was not
   * clean: a failing test, a file-level error, or the file the process ended in (it exited, crashed
   * or hung while that file ran). Only clean files keep the shared verdict; the files the process
   * never reached share another.
   */
  private async sharedFiles(unit: FileJob[], progress: RunProgress, signal?: AbortSignal): Promise<Array<{ run: FileRun; results: TestResult[] }>> {
    const { child, warm } = this.warm.take(this.unitSpec(unit));
    const marker = markerOf(child);
    if (marker) this.fileOfMarker.set(marker, unit.map((job) => job.file.relative).join(' or '));
    const split = new SharedSplit(unit.length);
    const onFrame = (frame: ChildFrame) => {
      split.onFrame(frame);
      const running = unit[split.running];
      if (frame.type === 'test:dequeue' && running) progress.onTestStart?.(running.file, frame.data.name);
    };
    const settings = this.settingsOf(unit[0]!.file);
    const files = unit.map((job) => job.file.absolute);
    const outcome = await runChild(child, { files }, this.silenceLimitMs(unit[0]!.file), onFrame, signal, { testsHaveTimeouts: settings.timeoutMs > 0 });
    const done: Array<{ run: FileRun; results: TestResult[] }> = [];
    // The files after the one the process ended in never started: they share a process of their own.
    const notStarted = split.trailingFailure || outcome.aborted || signal?.aborted ? [] : unit.slice(split.running + 1);
    for (const [index, job] of unit.slice(0, unit.length - notStarted.length).entries()) {
      if (signal?.aborted) {
        done.push({ run: skippedRun(job.file, this.config.root), results: [] });
        continue;
      }
      const ended = split.trailingFailure || outcome.aborted ? undefined : split.ended[index];
      let run = ended && collectFileRun({ project: job.file.project, absoluteFile: job.file.absolute, root: this.config.root }, ended);
      if (run && !run.results.some(isFailing)) {
        run.timing = { warm: warm || index > 0, ...(ended!.firstFrameMs === undefined ? {} : { firstFrameMs: ended!.firstFrameMs }) };
        if (this.config.grep) run.results = this.grepResults(run.results);
        progress.onFileDone?.(run);
      } else {
        run = await this.runJob(job, progress, signal);
      }
      if (!signal?.aborted) progress.onResults?.(run.results);
      done.push({ run, results: run.results });
    }
    if (notStarted.length > 1) done.push(...(await this.sharedFiles(notStarted, progress, signal)));
    else if (notStarted.length === 1) {
      const run = await this.runJob(notStarted[0]!, progress, signal);
      if (!signal?.aborted) progress.onResults?.(run.results);
      done.push({ run, results: run.results });
    }
    return done;
  }

  /** Ends what the run's tests left running in groups of their own, and names the files that did. */
  private endStrays(progress: RunProgress): void {
    const byFile = new Map<string, Stray[]>();
    for (const stray of endStrays()) {
      const file = this.fileOfMarker.get(stray.marker) ?? 'a test file';
      byFile.set(file, [...(byFile.get(file) ?? []), stray]);
    }
    this.fileOfMarker.clear();
    for (const [file, strays] of byFile) {
      const list = strays.map((stray) => `${stray.pid}: ${stray.command.slice(0, 80)}`).join('; ');
      progress.onNotice?.(
        `${file} left ${strays.length === 1 ? 'a process' : `${strays.length} processes`} running after it ended, in a process group of its own (${list}); cctrial ended ${strays.length === 1 ? 'it' : 'them'}. ` +
          'A test should end what it starts, for instance with child.kill() in an after() hook.',
      );
    }
  }

  private async runJob(job: FileJob, progress: RunProgress, signal?: AbortSignal): Promise<FileRun> {
    // Deleted or renamed since the run was planned: the watcher reports it, and the next run has the new list.
    if (signal?.aborted || !existsSync(job.file.absolute)) return skippedRun(job.file, this.config.root);
    const onFrame = (frame: ChildFrame) => {
      if (frame.type === 'test:dequeue') progress.onTestStart?.(job.file, frame.data.name);
    };
    const { child, warm } = this.warm.take(this.launchSpec(job));
    const marker = markerOf(child);
    if (marker) this.fileOfMarker.set(marker, job.file.relative);
    const settings = this.settingsOf(job.file);
    const fileTimeout = !PER_TEST_TIMEOUTS && settings.timeoutMs > 0 && timeoutSetByProject(settings) ? settings.timeoutMs : undefined;
    const limits = { testsHaveTimeouts: settings.timeoutMs > 0, ...(fileTimeout === undefined ? {} : { fileTimeoutMs: fileTimeout }) };
    const outcome = await runChild(child, { files: [job.file.absolute] }, this.silenceLimitMs(job.file), onFrame, signal, limits);
    const run = collectFileRun({ project: job.file.project, absoluteFile: job.file.absolute, root: this.config.root }, outcome);
    run.timing = { warm, ...(outcome.firstFrameMs === undefined ? {} : { firstFrameMs: outcome.firstFrameMs }) };
    if (!job.targets && this.config.grep) run.results = this.grepResults(run.results);
    progress.onFileDone?.(run);
    return run;
  }

  private launchSpec(job: FileJob): LaunchSpec {
    return launchSpec(job.file.absolute, this.settingsOf(job.file), job.selection, this.launch);
  }

  private silenceLimitMs(file: TestFile): number {
    return this.config.silenceLimitMs ?? (this.settingsOf(file).timeoutMs || SILENCE_LIMIT_WITHOUT_TIMEOUT_MS) + WATCHDOG_GRACE_MS;
  }

  /**
   * The tests --grep selects. A file-level failure counts only where the file has a selected test,
   * or failed to load (its tests are unknown): a file none of whose tests match cannot block green.
   */
  private grepResults(results: TestResult[]): TestResult[] {
    const grep = this.config.grep!;
    const selected = results.filter((result) => result.kind !== 'file' && (result.id.file.includes(grep) || result.id.path.join(' ').includes(grep)));
    const fileLevel = results.filter((result) => result.kind === 'file' && (selected.length > 0 || result.failureType === 'loadError'));
    return [...selected, ...fileLevel];
  }
}

/** The result of `target` among its file's results, by name; notRun when it did not report. */
function resultForTarget(target: TestResult, results: TestResult[], byKey: Map<string, TestResult>): TestResult {
  const found = byKey.get(testKey(target.id));
  if (found) return found;
  // A file that failed as a whole is fixed when it runs without failing as a whole.
  if (target.kind === 'file' && results.some((result) => result.id.file === target.id.file)) {
    const { error: _error, failureType: _failureType, ...fixed } = target;
    return { ...fixed, outcome: 'pass', durationMs: 0 };
  }
  // A file-level failure of the target's file explains why the target did not report.
  const fileFailure = results.find((result) => result.kind === 'file' && result.id.file === target.id.file);
  if (fileFailure) return { ...fileFailure, id: target.id, kind: target.kind, pathKinds: target.pathKinds };
  return targetNotRun(target);
}

const keyed = (results: TestResult[]): Map<string, TestResult> => new Map(results.map((result) => [testKey(result.id), result]));
const sameArgs = (a: string[], b: string[]): boolean => a.length === b.length && a.every((arg, index) => arg === b[index]);

function hasSubtests(target: TestResult, known: TestResult[]): boolean {
  const prefix = target.id.path;
  return known.some(
    (other) => other.id.file === target.id.file && other.id.path.length > prefix.length && prefix.every((name, index) => other.id.path[index] === name),
  );
}

function targetNotRun(target: TestResult): TestResult {
  const name = [...target.id.path].join(' › ');
  return {
    id: target.id,
    kind: target.kind,
    pathKinds: target.pathKinds,
    outcome: 'error',
    durationMs: 0,
    failureType: 'notRun',
    error: {
      type: 'TestNotFoundError',
      message:
        `The test "${name}" did not run: it was renamed, removed, or is now skipped. ` +
        'Run the whole suite again to pick up the new names (cctrial does so by itself while watching).',
    },
    ...(target.line === undefined ? {} : { line: target.line }),
    ...(target.column === undefined ? {} : { column: target.column }),
  };
}

/** The placeholder for a file that a cancelled run never started. */
function skippedRun(file: TestFile, root: string): FileRun {
  return collectFileRun(
    { project: file.project, absoluteFile: file.absolute, root },
    { frames: [], stdout: '', stderr: '', exitCode: null, signal: null, aborted: true, durationMs: 0 },
  );
}
