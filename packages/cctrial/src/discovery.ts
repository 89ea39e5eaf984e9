/** Finding test files: node --test's default patterns, plus their TypeScript variants, per project. */
import path from 'node:path';
import fg from 'fast-glob';
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
      .map((other) => `${toPosix(path.relative(project.root, other.root))}/**`);
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
