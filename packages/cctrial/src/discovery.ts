/**
 * Finding test files, per project, as its own test command would: the globs of its test script or
 * configuration, relative to the folder the script runs in, or else node --test's default patterns
 * (with their TypeScript twins). Files that import another runner's API are never node:test files.
 */
import path from 'node:path';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import type { ProjectSettings } from './config/settings.js';
import { IGNORED_FOLDERS, type Project } from './workspace/projects.js';
import { ownerLookup } from './workspace/paths.js';
import { toPosix } from './results/stack.js';

export interface TestFile {
  project: string;
  projectRoot: string;
  absolute: string;
  /** Relative to the workspace root, with forward slashes: part of every test's identity. */
  relative: string;
}

const EXTENSIONS = '{js,mjs,cjs,ts,mts,cts}';
/** node --test's defaults (Node 22+ documentation), with the TypeScript extensions added. */
export const TEST_FILE_GLOBS = [
  `**/*.test.${EXTENSIONS}`,
  `**/*-test.${EXTENSIONS}`,
  `**/*_test.${EXTENSIONS}`,
  `**/test-*.${EXTENSIONS}`,
  `**/test.${EXTENSIONS}`,
  `**/test/**/*.${EXTENSIONS}`,
];

/** Declaration files match the patterns but hold no tests. */
const NOT_TESTS = ['**/*.d.ts', '**/*.d.mts', '**/*.d.cts'];
/** Build output and coverage are skipped unless a project's own globs point into them. */
const OUTPUT_FOLDERS = ['dist', 'coverage'];
const ALWAYS_IGNORED = IGNORED_FOLDERS.filter((folder) => !OUTPUT_FOLDERS.includes(folder));

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const matchesDefaultGlob = picomatch(TEST_FILE_GLOBS, { dot: false });
const matchesNotTest = picomatch(NOT_TESTS);
const IGNORED_SEGMENTS = new Set(IGNORED_FOLDERS);
/** `import ... from 'vitest'`, `require('@jest/globals')`: written for another runner. */
const OTHER_RUNNER_IMPORT = /(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"](vitest|@jest\/globals|bun:test)['"]/;

/** Which settings a project's files are matched with; without them, node --test's defaults in the project folder. */
export type SettingsOf = (project: Project) => ProjectSettings | undefined;

/**
 * Test files of the selected projects. One walk from the projects' common folder lists every script
 * file, then each project's compiled matcher picks its tests. Each file belongs to the deepest
 * project that contains it, selected or not, so that a nested project keeps its own files.
 */
export function discoverTestFiles(
  selected: Project[],
  root: string,
  all: Project[] = selected,
  settingsOf: SettingsOf = () => undefined,
  /** Called for each left-out project that has a file of node --test's default patterns: it has tests cctrial will not run. */
  onLeftOutTests?: (project: Project) => void,
): TestFile[] {
  if (selected.length === 0) return [];
  const owners = new Owners(selected, all, root, settingsOf, onLeftOutTests);
  // Projects whose own globs point into dist or coverage are walked again, with those folders in.
  const outputWalks = owners.projectsUsingOutputFolders().flatMap((project) => scriptFiles(project.root, ALWAYS_IGNORED));
  const files = [...new Set([...scriptFiles(commonFolder(selected.map((project) => project.root))), ...outputWalks])];
  return onePerRealFile(files.flatMap((file) => owners.testFile(file) ?? [])).sort(byRelativePath);
}

/**
 * Updates a file list from watcher events without rescanning: created test files are added to
 * the project that owns them, deleted ones (or files under a deleted folder) are removed.
 */
export function updateTestFiles(
  files: TestFile[],
  selected: Project[],
  all: Project[],
  root: string,
  created: string[],
  deleted: string[],
  settingsOf: SettingsOf = () => undefined,
): TestFile[] {
  const gone = (file: TestFile) => deleted.some((removed) => file.absolute === removed || file.absolute.startsWith(removed + path.sep));
  const next = files.filter((file) => !gone(file));
  const known = new Set(next.map((file) => file.absolute));
  const owners = new Owners(selected, all, root, settingsOf);
  for (const found of created.flatMap(expandCreated).flatMap((file) => owners.testFile(file) ?? [])) {
    if (known.has(found.absolute)) continue;
    known.add(found.absolute);
    next.push(found);
  }
  return onePerRealFile(next).sort(byRelativePath);
}

/** Whether a new file would be one of the selected projects' tests, or a new folder holds some: one matcher for many files. */
export function newTestFileMatcher(selected: Project[], all: Project[], root: string, settingsOf: SettingsOf = () => undefined): (created: string) => boolean {
  const owners = new Owners(selected, all, root, settingsOf);
  return (created) => expandCreated(created).some((file) => owners.testFile(file) !== undefined);
}

/** Which selected project, if any, a file is a test of. */
class Owners {
  private readonly matchers = new Map<Project, (absolute: string) => boolean>();
  private readonly leftOut = new Set<Project>();
  private readonly ownerOf: (file: string) => Project | undefined;

  constructor(
    selected: Project[],
    all: Project[],
    private readonly root: string,
    private readonly settingsOf: SettingsOf,
    private readonly onLeftOutTests?: (project: Project) => void,
  ) {
    this.ownerOf = ownerLookup(all);
    const byRoot = new Map(all.map((project) => [project.root, project]));
    for (const project of selected) {
      const known = byRoot.get(project.root) ?? project;
      const settings = settingsOf(known);
      if (!settings?.excluded) this.matchers.set(known, testFileMatcher(known, settings));
      else this.leftOut.add(known);
    }
  }

  testFile(absolute: string): TestFile | undefined {
    const project = this.ownerOf(absolute);
    if (project && this.onLeftOutTests && this.leftOut.has(project) && testFileMatcher(project, undefined)(absolute)) {
      this.leftOut.delete(project);
      this.onLeftOutTests(project);
    }
    const matches = project && this.matchers.get(project);
    if (!project || !matches || !matches(absolute) || importsOtherRunner(absolute)) return undefined;
    return { project: project.name, projectRoot: project.root, absolute, relative: toPosix(path.relative(this.root, absolute)) };
  }

  projectsUsingOutputFolders(): Project[] {
    return [...this.matchers.keys()].filter((project) => pointsIntoOutputFolders(this.settingsOf(project)));
  }
}

/** Whether a file is one of the project's tests, by its settings' globs, as node --test would match them. */
export function testFileMatcher(project: Project, settings: ProjectSettings | undefined): (absolute: string) => boolean {
  const cwd = settings?.cwd ?? project.root;
  const include = settings?.include ?? [];
  const excluded = settings && settings.exclude.length > 0 ? picomatch(settings.exclude, { dot: true }) : () => false;
  const included = include.length === 0 ? defaultTestFile : globMatcher(include.map((glob) => ({ ...glob, pattern: glob.pattern.replace(/^\.\//, '') })));
  const usesOutputFolders = pointsIntoOutputFolders(settings);
  return (absolute) => {
    const relative = toPosix(path.relative(cwd, absolute));
    const inProject = toPosix(path.relative(project.root, absolute));
    if (matchesNotTest(relative) || excluded(inProject)) return false;
    const segments = inProject.split('/');
    if (segments.some((segment) => IGNORED_SEGMENTS.has(segment) && !(usesOutputFolders && OUTPUT_FOLDERS.includes(segment)))) return false;
    return included(relative);
  };
}

/** The project's own globs name a dist or coverage folder: there, build output is what runs. */
function pointsIntoOutputFolders(settings: ProjectSettings | undefined): boolean {
  return Boolean(settings?.include.some((glob) => glob.pattern.split('/').some((part) => OUTPUT_FOLDERS.includes(part))));
}

function defaultTestFile(relative: string): boolean {
  return matchesDefaultGlob(relative);
}

/**
 * A script's words: a quoted glob is expanded by Node (`**` crosses folders), an unquoted one by sh,
 * where `**` is just `*`. A plain path is a file, or a folder whose default-pattern files run.
 */
function globMatcher(globs: Array<{ pattern: string; shell: boolean }>): (relative: string) => boolean {
  const tests = globs.map(({ pattern, shell }) => {
    // Node 20 takes a quoted glob as a file name, which no file has.
    if (!shell && NODE_MAJOR < 21 && picomatch.scan(pattern).isGlob) return () => false;
    if (!picomatch.scan(pattern).isGlob) {
      const plain = pattern.replace(/\/$/, '');
      // A folder: Node 20 and 26+ run its default-pattern files; 22 to 25 look for a module of that name, and find none.
      const walksFolders = NODE_MAJOR < 22 || NODE_MAJOR >= 26;
      return (relative: string) => relative === plain || (walksFolders && relative.startsWith(plain + '/') && defaultTestFile(relative.slice(plain.length + 1)));
    }
    return picomatch(shell ? pattern.replace(/\*\*/g, '*') : pattern, { dot: false });
  });
  return (relative) => tests.some((test) => test(relative));
}

function importsOtherRunner(absolute: string): boolean {
  try {
    return OTHER_RUNNER_IMPORT.test(readFileSync(absolute, 'utf8'));
  } catch {
    return false;
  }
}

function scriptFiles(folder: string, ignored: readonly string[] = IGNORED_FOLDERS): string[] {
  // Symlinked folders are not followed: a link back up the tree would loop, and linked packages are projects of their own.
  // Symlinked files are test files like any other, as node --test runs them.
  const entries = fg.sync(`**/*.${EXTENSIONS}`, { cwd: folder, absolute: true, followSymbolicLinks: false, onlyFiles: false, objectMode: true, ignore: [`**/{${ignored.join(',')}}/**`] });
  return entries.flatMap((entry) => (entry.dirent.isFile() || (entry.dirent.isSymbolicLink() && isFile(entry.path)) ? [entry.path] : []));
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false; // A dangling link.
  }
}

/** A file reached through a link and by its own path runs once, under its own path. */
function onePerRealFile(files: TestFile[]): TestFile[] {
  const seen = new Set<string>();
  const byRealPath = files.map((file) => ({ file, real: realPath(file.absolute) }));
  // Real paths first, so that a link loses to the file it points at.
  byRealPath.sort((a, b) => Number(a.real !== a.file.absolute) - Number(b.real !== b.file.absolute));
  const kept = new Set<TestFile>();
  for (const { file, real } of byRealPath) {
    if (seen.has(real)) continue;
    seen.add(real);
    kept.add(file);
  }
  return files.filter((file) => kept.has(file));
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** A created folder (a checkout, a copy) brings its files with it: walk just that folder. */
function expandCreated(file: string): string[] {
  try {
    return statSync(file).isDirectory() ? scriptFiles(file) : [file];
  } catch {
    return []; // Created and gone again already.
  }
}

function commonFolder(folders: string[]): string {
  return folders.reduce((common, folder) => {
    while (folder !== common && !folder.startsWith(common + path.sep)) common = path.dirname(common);
    return common;
  });
}

const byRelativePath = (a: TestFile, b: TestFile) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0);
