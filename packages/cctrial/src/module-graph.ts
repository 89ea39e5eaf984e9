/**
 * Which files each test file loaded, as its child reported them ('modules' frame): lets the watcher
 * start a run only for changes to files some test imported, not for logs or databases tests write.
 * Paths are absolute real paths, as Node loads them: a symlink to an imported file does not count,
 * since the watcher reports real paths under the project folders.
 */
import path from 'node:path';
import type { FileRun } from './results/types.js';

export class ModuleGraph {
  /** Test file → the files it loaded. */
  private readonly imports = new Map<string, Set<string>>();
  /** File → the test files that loaded it: the reverse index the watcher asks. */
  private readonly importedBy = new Map<string, Set<string>>();
  /** Folder → how many imported files it holds directly: where a new file may be code. */
  private readonly folders = new Map<string, number>();

  /**
   * Takes what one run of a test file reported; `root` is the folder `run.file` is relative to.
   * A complete run replaces the file's entry. A partial one (cancelled, a name pattern, a load error,
   * process.exit()) adds to it: code that did not run this time may still be imported. A run that
   * reported nothing (killed, crashed) changes nothing.
   */
  update(run: FileRun, root: string): void {
    if (!run.modules) return;
    const testFile = path.resolve(root, run.file);
    const previous = this.imports.get(testFile);
    if (!previous || run.aborted || run.modulesPartial) {
      const files = previous ?? new Set<string>();
      for (const file of run.modules) this.add(testFile, files, file);
      this.imports.set(testFile, files);
      return;
    }
    const next = new Set(run.modules);
    for (const file of previous) {
      if (next.has(file)) continue;
      previous.delete(file);
      this.unlink(testFile, file);
    }
    for (const file of next) this.add(testFile, previous, file);
  }

  /** Every test file's imports, relative to `root`: what a later session starts from. */
  toRelative(root: string): Record<string, string[]> {
    const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
    return Object.fromEntries([...this.imports].map(([testFile, files]) => [rel(testFile), [...files].map(rel)]));
  }

  /** Takes what an earlier session recorded, for the test files this one has not run yet. */
  restore(saved: Record<string, string[]>, root: string): void {
    for (const [testFile, files] of Object.entries(saved)) {
      const absolute = path.resolve(root, testFile);
      if (this.imports.has(absolute)) continue;
      const set = new Set<string>();
      for (const file of files) this.add(absolute, set, path.resolve(root, file));
      this.imports.set(absolute, set);
    }
  }

  /** Drops a test file: it was deleted, or is no longer selected. */
  forget(testFile: string): void {
    const files = this.imports.get(testFile);
    if (!files) return;
    for (const file of files) this.unlink(testFile, file);
    this.imports.delete(testFile);
  }

  /** The test files that loaded `file` (absolute). */
  importers(file: string): string[] {
    return [...(this.importedBy.get(file) ?? [])];
  }

  /** The files this test file (absolute) loaded, as far as known. */
  importsOf(testFile: string): string[] {
    return [...(this.imports.get(testFile) ?? [])];
  }

  /** Whether this test file has reported what it loads. */
  knows(testFile: string): boolean {
    return this.imports.has(testFile);
  }

  isImported(file: string): boolean {
    return this.importedBy.has(file);
  }

  /** Whether the folder holds an imported file directly. */
  holdsImport(folder: string): boolean {
    return this.folders.has(folder);
  }

  /** Whether an imported file lies at or below `folder`: a deleted folder took code with it. */
  importsUnder(folder: string): boolean {
    if (this.importedBy.has(folder)) return true;
    const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
    for (const held of this.folders.keys()) if (held === folder || held.startsWith(prefix)) return true;
    return false;
  }

  /** How many test files have reported what they load. */
  get size(): number {
    return this.imports.size;
  }

  private add(testFile: string, files: Set<string>, file: string): void {
    files.add(file);
    const importers = this.importedBy.get(file);
    if (importers) return void importers.add(testFile);
    this.importedBy.set(file, new Set([testFile]));
    const folder = path.dirname(file);
    this.folders.set(folder, (this.folders.get(folder) ?? 0) + 1);
  }

  private unlink(testFile: string, file: string): void {
    const importers = this.importedBy.get(file);
    importers?.delete(testFile);
    if (importers?.size !== 0) return;
    this.importedBy.delete(file);
    const folder = path.dirname(file);
    const left = (this.folders.get(folder) ?? 1) - 1;
    if (left > 0) this.folders.set(folder, left);
    else this.folders.delete(folder);
  }
}
