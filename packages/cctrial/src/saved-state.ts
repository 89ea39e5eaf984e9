/**
 * What cctrial remembers between sessions, in one JSON file in its cache folder: the failures being
 * fixed, so that a restart goes back to the fix target at once, and per test file how long it took
 * and which files it loaded, so that the suite starts with the longest files and the watcher knows
 * what each test imports before the first run. A resumed failure is always run again before
 * anything is reported, so what is remembered can never give a green verdict.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FailureGroup } from './results/group.js';
import { testKey } from './results/identity.js';
import type { TestResult } from './results/types.js';
import { VERSION } from './version.js';

/** Bumped when the shape changes: a file of another format is ignored, with a warning. */
const FORMAT = 2;
const STATE_FILE_NAME = 'state.json';

/** The fix loop where it stood: the failures of the last suite or recheck, their groups, the test being fixed. */
export interface FixState {
  failing: TestResult[];
  groups: FailureGroup[];
  groupIndex: number;
  target: TestResult;
  /** The last suite results of the failing tests' files: what a targeted run of them expects. */
  known: TestResult[];
}

/** What the engine learnt about each test file, keyed by its workspace-relative path. */
export interface FileKnowledge {
  durationsMs: Record<string, number>;
  /** The workspace-relative files each test file loaded. */
  imports: Record<string, string[]>;
}

export interface SavedState {
  /** Only for the same selection (projects, files, --grep): another selection has other tests. */
  fix?: FixState;
  files: FileKnowledge;
}

interface StateFileContents {
  format: number;
  cctrial: string;
  workspace: string;
  selection: string;
  fix?: SavedFix;
  files: FileKnowledge;
}

/** A group names its tests by their place in `failing`: each failing test's result is written once. */
interface SavedFix extends Omit<FixState, 'groups' | 'target'> {
  groups: Array<{ signature: string; representative: number; tests: number[] }>;
  target: number;
}

function toSaved(fix: FixState): SavedFix | undefined {
  const place = new Map(fix.failing.map((result, index) => [testKey(result.id), index]));
  const placeOf = (result: TestResult) => place.get(testKey(result.id)) ?? -1;
  const saved = {
    ...fix,
    groups: fix.groups.map((group) => ({ signature: group.signature, representative: placeOf(group.representative), tests: group.tests.map(placeOf) })),
    target: placeOf(fix.target),
  };
  // A test outside the failing set cannot be named: nothing to resume rather than a wrong loop.
  const places = [saved.target, ...saved.groups.flatMap((group) => [group.representative, ...group.tests])];
  return places.every((index) => index >= 0) ? saved : undefined;
}

function fromSaved(saved: SavedFix): FixState | undefined {
  const at = (index: unknown) => (typeof index === 'number' ? saved.failing[index] : undefined);
  const groups: FailureGroup[] = [];
  for (const group of saved.groups) {
    const representative = at(group.representative);
    const tests = group.tests.map(at);
    if (!representative || tests.some((test) => !test)) return undefined;
    groups.push({ signature: group.signature, representative, tests: tests as TestResult[] });
  }
  const target = at(saved.target);
  return target ? { ...saved, groups, target } : undefined;
}

export function defaultCacheDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, 'node_modules/.cache/cctrial');
}

export class StateStore {
  private readonly file: string;
  private warnedAboutWriting = false;

  constructor(
    cacheDir: string,
    private readonly workspace: string,
    /** A key for what was selected to run: fix state is resumed only for the same one. */
    private readonly selection: string,
  ) {
    this.file = path.join(cacheDir, STATE_FILE_NAME);
  }

  /** What the last session left; `problem` when there was a file that cannot be used, said once by the caller. */
  load(): { state?: SavedState; problem?: string } {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return {};
    }
    const ignored = (why: string) => ({ problem: `cctrial ignored what it remembered in ${this.file}: ${why}. It starts with the whole suite, and writes the file anew.` });
    let contents: Partial<StateFileContents>;
    try {
      contents = JSON.parse(text) as Partial<StateFileContents>;
    } catch {
      return ignored('the file is not valid JSON');
    }
    if (contents.cctrial !== VERSION) return ignored(`it was written by another version of cctrial (${String(contents.cctrial ?? 'unknown')})`);
    if (contents.format !== FORMAT) return ignored(`it is in another format (${String(contents.format)})`);
    if (contents.workspace !== this.workspace) return ignored(`it belongs to another workspace (${String(contents.workspace)})`);
    if (!isFileKnowledge(contents.files)) return ignored('the file is damaged');
    const fix = contents.selection === this.selection && isSavedFix(contents.fix) ? fromSaved(contents.fix) : undefined;
    return { state: { files: contents.files, ...(fix ? { fix } : {}) } };
  }

  /** A cctrial killed while writing leaves the previous file (writeAtomically). */
  save(state: SavedState): string | undefined {
    const fix = state.fix && toSaved(state.fix);
    const contents: StateFileContents = { format: FORMAT, cctrial: VERSION, workspace: this.workspace, selection: this.selection, files: state.files, ...(fix ? { fix } : {}) };
    try {
      writeAtomically(this.file, JSON.stringify(contents));
      return undefined;
    } catch (error) {
      if (this.warnedAboutWriting) return undefined;
      this.warnedAboutWriting = true;
      return `cctrial cannot write what it remembers to ${this.file} (${(error as Error).message}), so a restart begins with the whole suite. Pass --cache-dir with a folder it can write.`;
    }
  }
}

/** Written whole and renamed into place: a reader, or a cctrial killed halfway, never sees half a file. */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

function isFileKnowledge(value: unknown): value is FileKnowledge {
  const files = value as Partial<FileKnowledge> | undefined;
  return typeof files?.durationsMs === 'object' && files.durationsMs !== null && typeof files.imports === 'object' && files.imports !== null;
}

function isSavedFix(value: unknown): value is SavedFix {
  const fix = value as Partial<SavedFix> | undefined;
  return Boolean(fix && Array.isArray(fix.failing) && fix.failing.length > 0 && Array.isArray(fix.groups) && Array.isArray(fix.known) && typeof fix.groupIndex === 'number' && typeof fix.target === 'number');
}
