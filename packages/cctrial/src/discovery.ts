/** Finding test files: node --test's default patterns, plus their TypeScript variants, per project. */
import path from 'node:path';
import { statSync } from 'node:fs';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { IGNORED_FOLDERS, type Project } from './workspace/projects.js';
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

const matchesTestGlob = picomatch(TEST_FILE_GLOBS, { dot: false });
const matchesNotTest = picomatch(NOT_TESTS);
const IGNORED_SEGMENTS = new Set(IGNORED_FOLDERS);

/**
 * Test files of the selected projects. One walk from the projects' common folder lists every script
 * file, then one compiled matcher picks the tests: several times faster than a glob per pattern and
 * per project. Each file belongs to the deepest project that contains it, selected or not, so that
 * a nested project (a library inside an Nx root project, say) keeps its own files.
 */
export function discoverTestFiles(selected: Project[], root: string, all: Project[] = selected): TestFile[] {
  if (selected.length === 0) return [];
  const owners = new Owners(selected, all, root);
  return scriptFiles(commonFolder(selected.map((project) => project.root)))
    .flatMap((file) => owners.testFile(file) ?? [])
    .sort(byRelativePath);
}

/**
 * Updates a file list from watcher events without rescanning: created test files are added to
 * the project that owns them, deleted ones (or files under a deleted folder) are removed.
 */
export function updateTestFiles(files: TestFile[], selected: Project[], all: Project[], root: string, created: string[], deleted: string[]): TestFile[] {
  const gone = (file: TestFile) => deleted.some((removed) => file.absolute === removed || file.absolute.startsWith(removed + path.sep));
  const next = files.filter((file) => !gone(file));
  const known = new Set(next.map((file) => file.absolute));
  const owners = new Owners(selected, all, root);
  for (const found of created.flatMap(expandCreated).flatMap((file) => owners.testFile(file) ?? [])) {
    if (known.has(found.absolute)) continue;
    known.add(found.absolute);
    next.push(found);
  }
  return next.sort(byRelativePath);
}

/** Which selected project, if any, a file is a test of. */
class Owners {
  private readonly byRoot: Map<string, Project>;
  private readonly wanted: Set<Project>;

  constructor(selected: Project[], all: Project[], private readonly root: string) {
    this.byRoot = new Map(all.map((project) => [project.root, project]));
    this.wanted = new Set(selected.map((project) => this.byRoot.get(project.root) ?? project));
  }

  testFile(absolute: string): TestFile | undefined {
    const project = this.ownerOf(absolute);
    if (!project || !this.wanted.has(project) || !isTestFile(toPosix(path.relative(project.root, absolute)))) return undefined;
    return { project: project.name, projectRoot: project.root, absolute, relative: toPosix(path.relative(this.root, absolute)) };
  }

  /** The deepest project folder above the file. */
  private ownerOf(file: string): Project | undefined {
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      const project = this.byRoot.get(dir);
      if (project) return project;
      if (dir === path.dirname(dir)) return undefined;
    }
  }
}

function scriptFiles(folder: string): string[] {
  // Symlinked folders are not followed: a link back up the tree would loop, and linked packages are projects of their own.
  return fg.sync(`**/*.${EXTENSIONS}`, { cwd: folder, absolute: true, followSymbolicLinks: false, ignore: [`**/{${IGNORED_FOLDERS.join(',')}}/**`] });
}

/** A created folder (a checkout, a copy) brings its files with it: walk just that folder. */
function expandCreated(file: string): string[] {
  try {
    return statSync(file).isDirectory() ? scriptFiles(file) : [file];
  } catch {
    return []; // Created and gone again already.
  }
}

function isTestFile(relativeToProject: string): boolean {
  if (!matchesTestGlob(relativeToProject) || matchesNotTest(relativeToProject)) return false;
  return !relativeToProject.split('/').some((segment) => IGNORED_SEGMENTS.has(segment));
}

function commonFolder(folders: string[]): string {
  return folders.reduce((common, folder) => {
    while (folder !== common && !folder.startsWith(common + path.sep)) common = path.dirname(common);
    return common;
  });
}

const byRelativePath = (a: TestFile, b: TestFile) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0);
