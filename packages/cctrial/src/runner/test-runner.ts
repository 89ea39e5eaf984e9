/**
 * Runs test files, whole or down to single tests, in fresh child processes, and turns what they
 * report into results. A run sees the code as it is on disk now: nothing is reused between runs.
 */
import type { ChildFrame } from '../child/protocol.js';
import { collectFileRun } from '../results/collect.js';
import { testKey } from '../results/identity.js';
import type { FileRun, TestResult } from '../results/types.js';
import type { TestFile } from '../discovery.js';
import { childArgs, chooseLoader, hasNativeTypeStripping } from './node-args.js';
import { runPool } from './pool.js';
import { runChild } from './run-file.js';
import { grepArgs, parseNodeVersion, selectionArgs, type NodeVersion } from './selection.js';

export interface RunnerConfig {
  root: string;
  jobs: number;
  /** Per-test timeout given to node:test; 0 for none. */
  timeoutMs: number;
  /** Silence after which the watchdog kills a child. */
  silenceLimitMs: number;
  importModule?: string;
  /** Export conditions for module resolution (node --conditions). */
  conditions?: string[];
  grep?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunProgress {
  onTestStart?(file: TestFile, name: string): void;
  onFileDone?(run: FileRun): void;
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
  private readonly nativeTypeStripping = hasNativeTypeStripping();

  constructor(private readonly config: RunnerConfig) {}

  /** Runs every test of these files (filtered by --grep when given). */
  runFiles(files: TestFile[], progress: RunProgress = {}, signal?: AbortSignal): Promise<RunReport> {
    const selection = this.config.grep ? grepArgs(this.config.grep) : [];
    // A file whose own path matches --grep runs whole.
    const grep = this.config.grep;
    return this.run(files.map((file) => ({ file, selection: grep && file.relative.includes(grep) ? [] : selection })), progress, signal);
  }

  /**
   * Re-runs exactly these tests. `known` is every result of the files involved, from an earlier
   * run: it says which tests have subtests. A lone target runs alone; several targets in one file
   * run the whole file, filtered down to them.
   */
  runTests(targets: TestResult[], files: TestFile[], known: TestResult[], progress: RunProgress = {}, signal?: AbortSignal): Promise<RunReport> {
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
      const selection = only ? selectionArgs(only, this.nodeVersion, hasSubtests(only, known)) : [];
      jobs.push({ file, selection, targets: fileTargets });
    }
    return this.run(jobs, progress, signal, targets);
  }

  private async run(jobs: FileJob[], progress: RunProgress, signal: AbortSignal | undefined, targets?: TestResult[]): Promise<RunReport> {
    const startedAt = performance.now();
    const fileRuns = await runPool(jobs, this.config.jobs, (job) => this.runJob(job, progress, signal));
    const results = fileRuns.flatMap((run) => run.results);
    return {
      fileRuns,
      results: targets ? this.resultsForTargets(targets, results) : results,
      durationMs: performance.now() - startedAt,
      aborted: signal?.aborted ?? false,
    };
  }

  private async runJob(job: FileJob, progress: RunProgress, signal?: AbortSignal): Promise<FileRun> {
    if (signal?.aborted) return skippedRun(job.file, this.config.root);
    const loader = chooseLoader(job.file.absolute, this.config.importModule, this.nativeTypeStripping);
    const onFrame = (frame: ChildFrame) => {
      if (frame.type === 'test:dequeue') progress.onTestStart?.(job.file, frame.data.name);
    };
    const child = await runChild(
      {
        node: process.execPath,
        args: [...(this.config.conditions ?? []).map((condition) => `--conditions=${condition}`), ...childArgs(loader, this.config.timeoutMs, job.selection)],
        cwd: job.file.projectRoot,
        env: { ...(this.config.env ?? process.env), NODE_TEST_CONTEXT: undefined },
        silenceLimitMs: this.config.silenceLimitMs,
      },
      job.file.absolute,
      onFrame,
      signal,
    );
    const run = collectFileRun({ project: job.file.project, absoluteFile: job.file.absolute, root: this.config.root }, child);
    if (!job.targets) run.results = run.results.filter((result) => this.matchesGrep(result));
    progress.onFileDone?.(run);
    return run;
  }

  private resultsForTargets(targets: TestResult[], results: TestResult[]): TestResult[] {
    const byKey = new Map(results.map((result) => [testKey(result.id), result]));
    return targets.map((target) => {
      const found = byKey.get(testKey(target.id));
      if (found) return found;
      // A file-level failure of the target's file explains why the target did not report.
      const fileFailure = results.find((result) => result.kind === 'file' && result.id.file === target.id.file);
      if (fileFailure) return { ...fileFailure, id: target.id, kind: target.kind, pathKinds: target.pathKinds };
      return targetNotRun(target);
    });
  }

  private matchesGrep(result: TestResult): boolean {
    const grep = this.config.grep;
    if (!grep || result.kind === 'file') return true;
    return result.id.file.includes(grep) || result.id.path.join(' ').includes(grep);
  }
}

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
