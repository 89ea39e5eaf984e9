/**
 * Running real test files in real child processes, for the tests of the engine: write a package,
 * run its test files with the real TestRunner or Engine, and find results by name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestFile } from '../../src/discovery.js';
import { Engine, type RunOutcome } from '../../src/engine.js';
import type { CctrialEvent } from '../../src/events.js';
import { parseOptions } from '../../src/options.js';
import type { FileRun, TestResult } from '../../src/results/types.js';
import { TestRunner, type RunnerConfig, type RunReport } from '../../src/runner/test-runner.js';
import { writeWorkspace, type FileTree } from './workspace.js';

/** Test files of a fixture: what node --test would pick by name, enough for hand-written fixtures. */
const TEST_FILE = /(?:^|\/)[^/]+\.test\.[cm]?[jt]s$/;

/** A one-package workspace (ESM) holding `files`. Returns its real path. */
export function writePackage(files: FileTree, name = 'fixture'): string {
  return writeWorkspace({ 'package.json': JSON.stringify({ name, type: 'module' }), ...files });
}

/** The TestFile records of a one-package workspace, as discovery would make them. */
export function testFilesOf(root: string, relatives: string[], project = 'fixture'): TestFile[] {
  return relatives.map((relative) => ({ project, projectRoot: root, absolute: path.join(root, relative), relative }));
}

export interface FixtureRun {
  root: string;
  files: TestFile[];
  report: RunReport;
}

/** The `*.test.*` files among a fixture's paths, sorted. */
export function testFileNames(files: FileTree): string[] {
  return Object.keys(files).filter((file) => TEST_FILE.test(file)).sort();
}

/** Runs these test files of a one-package workspace through the real TestRunner. */
export async function runTestFiles(root: string, relatives: string[], config: Partial<RunnerConfig> = {}): Promise<FixtureRun> {
  const files = testFilesOf(root, relatives);
  const runner = new TestRunner({ root, jobs: 2, timeoutMs: 30_000, silenceLimitMs: 30_000, ...config });
  const report = await runner.runFiles(files);
  return { root, files, report };
}

/**
 * Writes a one-package workspace and runs every `*.test.*` file in it. Call it from a test, or from a
 * describe() body: writeWorkspace() registers the clean-up with after(), which needs a test context.
 */
export function runPackage(files: FileTree, config: Partial<RunnerConfig> = {}): Promise<FixtureRun> {
  return runTestFiles(writePackage(files), testFileNames(files), config);
}

/** The one result of `file` with this path (occurrence 0 unless given), or a failure listing what exists. */
export function resultOf(results: TestResult[], file: string, names: string[], occurrence = 0): TestResult {
  const found = results.find(
    (result) => result.id.file === file && result.id.occurrence === occurrence && JSON.stringify(result.id.path) === JSON.stringify(names),
  );
  if (!found) assert.fail(`no result for ${file} › ${names.join(' › ')} (#${occurrence}); results:\n${describeResults(results)}`);
  return found;
}

/** The file-level result of `file`, or a failure listing what exists. */
export function fileResultOf(results: TestResult[], file: string): TestResult {
  const found = results.filter((result) => result.id.file === file && result.kind === 'file');
  assert.equal(found.length, 1, `expected one file-level result for ${file}; results:\n${describeResults(results)}`);
  return found[0]!;
}

export function resultsOfFile(results: TestResult[], file: string): TestResult[] {
  return results.filter((result) => result.id.file === file);
}

export function fileRunOf(report: RunReport, file: string): FileRun {
  const run = report.fileRuns.find((candidate) => candidate.file === file);
  assert.ok(run, `no file run for ${file}`);
  return run;
}

/** One line per result, for assertion messages. */
export function describeResults(results: TestResult[]): string {
  return results
    .map((result) => `  ${result.id.file} › ${result.id.path.join(' › ')} #${result.id.occurrence} [${result.kind}] ${result.outcome}` +
      (result.error ? `: ${result.error.type}: ${result.error.message.split('\n')[0]}` : ''))
    .join('\n');
}

/** The 1-based number of the first line of `file` (under `root`) that contains `text`: fixtures name lines by content. */
export function lineOf(root: string, file: string, text: string): number {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, `"${text}" is not in ${file}`);
  return index + 1;
}

export interface EngineRun {
  engine: Engine;
  events: CctrialEvent[];
  outcome: RunOutcome;
}

/** Builds a real Engine from CLI-style arguments and runs the suite once, collecting every event. */
export async function runEngineSuite(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<EngineRun> {
  const events: CctrialEvent[] = [];
  const engine = await Engine.create(parseOptions(args, env, cwd), (event) => events.push(event));
  const outcome = await engine.runSuite('suite');
  return { engine, events, outcome };
}

export function eventsOfType<Type extends CctrialEvent['type']>(events: CctrialEvent[], type: Type): Array<Extract<CctrialEvent, { type: Type }>> {
  return events.filter((event): event is Extract<CctrialEvent, { type: Type }> => event.type === type);
}

/** Whether a process exists and is not a zombie (a killed process whose parent has not reaped it yet is gone for us). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // /proc/<pid> vanished between the two checks.
  }
}

/**
 * Waits until `pid` is gone: a SIGKILL takes effect when the kernel next schedules the process, not
 * when kill() returns. Fails, naming the pid, if it is still there after `limitMs`.
 */
export async function waitUntilGone(pid: number, limitMs = 5_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) {
      process.kill(pid, 'SIGKILL'); // Do not leave it behind for the next test.
      assert.fail(`process ${pid} is still alive ${limitMs} ms after its test process ended`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The pids a fixture printed as `PID <n>` lines. */
export function printedPids(stdout: string): number[] {
  return [...stdout.matchAll(/^PID (\d+)$/gm)].map((match) => Number(match[1]));
}
