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

export function discoverTestFiles(projects: Project[], root: string): TestFile[] {
  const files: TestFile[] = [];
  for (const project of projects) {
    // A project nested inside another (the root project of an Nx repo, say) owns its own files.
    const nested = projects
      .filter((other) => other !== project && other.root.startsWith(project.root + path.sep))
      .map((other) => `${fg.escapePath(toPosix(path.relative(project.root, other.root)))}/**`);
    const found = fg.sync(TEST_FILE_GLOBS, {
      cwd: project.root,
      absolute: true,
      ignore: [...IGNORED_FOLDERS.map((folder) => `**/${folder}/**`), ...NOT_TESTS, ...nested],
    });
    for (const absolute of found.sort()) {
      files.push({ project: project.name, projectRoot: project.root, absolute, relative: toPosix(path.relative(root, absolute)) });
    }
  }
  return files;
}

const matchesTestGlob = picomatch(TEST_FILE_GLOBS, { dot: false });
const matchesNotTest = picomatch(NOT_TESTS);
const IGNORED_SEGMENTS = new Set(IGNORED_FOLDERS);

/**
 * Updates a file list from watcher events without rescanning: created test files are added to
 * the project that owns them, deleted ones (or files under a deleted folder) are removed.
 */
export function updateTestFiles(files: TestFile[], projects: Project[], root: string, created: string[], deleted: string[]): TestFile[] {
  const gone = (file: TestFile) => deleted.some((removed) => file.absolute === removed || file.absolute.startsWith(removed + path.sep));
  const next = files.filter((file) => !gone(file));
  const known = new Set(next.map((file) => file.absolute));
  for (const absolute of created.flatMap((file) => expandCreated(file, projects, root))) {
    if (known.has(absolute)) continue;
    const project = ownerOf(absolute, projects);
    if (!project) continue;
    const relativeToProject = toPosix(path.relative(project.root, absolute));
    if (!matchesTestGlob(relativeToProject) || matchesNotTest(relativeToProject)) continue;
    if (relativeToProject.split('/').some((segment) => IGNORED_SEGMENTS.has(segment))) continue;
    known.add(absolute);
    next.push({ project: project.name, projectRoot: project.root, absolute, relative: toPosix(path.relative(root, absolute)) });
  }
  return next.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

/** A created folder (a checkout, a copy) brings its files with it; glob just that folder. */
function expandCreated(file: string, projects: Project[], root: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    return []; // Created and gone again already.
  }
  if (!isDirectory) return [file];
  const project = ownerOf(file, projects);
  return project ? discoverTestFiles([{ ...project, root: file }], root).map((found) => found.absolute) : [];
}

function ownerOf(file: string, projects: Project[]): Project | undefined {
  return projects
    .filter((project) => file.startsWith(project.root + path.sep))
    .sort((a, b) => b.root.length - a.root.length)[0];
}
