/**
 * Flaky tests: a test whose outcome changed between two runs while neither its file, nor any file it
 * imported, nor any file of its project changed, as far as the watcher saw. Once flaky, a test stays flaky for the session: it
 * is shown as such, and it is fixed only when no other failure is left (group.ts).
 */
import path from 'node:path';
import { testKey } from './identity.js';
import { isFailing, type TestResult } from './types.js';

export class FlakyTests {
  /** Counts the change batches seen: a run compares what it saw with the clock at its start. */
  private clock = 0;
  /** Absolute file → the clock of its last change. */
  private readonly changedAt = new Map<string, number>();
  /** Test key → whether it failed when last run, and the latest change among its files then. */
  private readonly lastSeen = new Map<string, { failing: boolean; version: number }>();
  private readonly flaky = new Set<string>();

  /** The clock now: what a run started at. */
  get now(): number {
    return this.clock;
  }

  /**
   * Files (absolute) the watcher saw change, and so each folder above them: a test that reads a data
   * file of its project without importing it must not be called flaky when that file changes.
   */
  noteChanges(files: string[]): void {
    this.clock++;
    for (const file of files) {
      for (let at = file; this.changedAt.get(at) !== this.clock; at = path.dirname(at)) {
        // Marked in this batch already: so is every folder above it.
        this.changedAt.set(at, this.clock);
        if (path.dirname(at) === at) break;
      }
    }
  }

  /** The result, marked `flaky` when it is. */
  mark(result: TestResult): TestResult {
    return this.flaky.has(testKey(result.id)) ? { ...result, flaky: true } : result;
  }

  /**
   * Takes the results of a run that started at `startedAt`, and returns them with the flaky ones
   * marked. `filesOf` gives a test file's own absolute path, those of the files it imported and its
   * project's folder. A test whose files changed while the run went on says nothing: it may have read
   * either version.
   */
  observe(results: TestResult[], filesOf: (testFile: string) => string[], startedAt: number): TestResult[] {
    const versions = new Map<string, number>();
    const versionOf = (testFile: string) => {
      let version = versions.get(testFile);
      if (version === undefined) {
        version = 0;
        for (const file of filesOf(testFile)) version = Math.max(version, this.changedAt.get(file) ?? 0);
        versions.set(testFile, version);
      }
      return version;
    };
    return results.map((result) => {
      const key = testKey(result.id);
      const version = versionOf(result.id.file);
      if (version <= startedAt && (result.outcome === 'pass' || isFailing(result)) && result.failureType !== 'notRun') {
        const failing = isFailing(result);
        const seen = this.lastSeen.get(key);
        if (seen && seen.version === version && seen.failing !== failing) this.flaky.add(key);
        this.lastSeen.set(key, { failing, version });
      }
      return this.mark(result);
    });
  }
}
