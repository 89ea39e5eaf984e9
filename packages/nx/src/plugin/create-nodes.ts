/**
 * Infers a `cctrial` target on every project that has node:test tests. Nx hands over the test
 * files it found in its file index (already free of .gitignored files); each is attributed to its
 * project (see groupByProject), and that project gets the target when at least one of its files
 * loads node:test.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CreateNodes, CreateNodesResult } from '@nx/devkit';
import { DEFAULT_TARGET_NAME } from '../names';
import { cctrialTarget } from './target';
import { isCandidate, loadsNodeTest, TEST_FILE_PATTERN } from './test-files';

export interface CctrialPluginOptions {
  /** The name of the inferred target (default "cctrial"). */
  targetName?: string;
}

export const createNodes: CreateNodes<CctrialPluginOptions> = [
  TEST_FILE_PATTERN,
  (files, options, context) => {
    const targetName = options?.targetName ?? DEFAULT_TARGET_NAME;
    const byProject = groupByProject(files.filter(isCandidate), context.workspaceRoot);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    for (const [projectRoot, testFiles] of byProject) {
      const first = testFiles.find((file) => loadsNodeTest(path.join(context.workspaceRoot, file)));
      if (!first) continue;
      results.push([first, { projects: { [projectRoot]: { targets: { [targetName]: cctrialTarget() } } } }]);
    }
    return results;
  },
];

/** The same tuple: Nx 19.2-21 look for this name first. */
export const createNodesV2 = createNodes;

/**
 * Project root (workspace-relative, posix) -> its test files. A test file belongs to the nearest
 * folder above it that is a project: one with a project.json, or with a package.json that no outer
 * folder's package.json or project.json contains. So a fixture package inside a package's test
 * folder stays part of that package, as cctrial's discovery has it, and never becomes a project of
 * its own. The workspace root is left out: in a package-based repo it holds every package.
 */
function groupByProject(files: readonly string[], workspaceRoot: string): Map<string, string[]> {
  const has = (dir: string, file: string) => existsSync(path.join(workspaceRoot, dir, file));
  const isContainer = (dir: string) => has(dir, 'project.json') || has(dir, 'package.json');
  const ancestors = (dir: string): string[] => {
    const above: string[] = [];
    for (let parent = path.posix.dirname(dir); parent !== '.' && parent !== ''; parent = path.posix.dirname(parent)) above.push(parent);
    return above;
  };
  const rootOf = new Map<string, string | undefined>();
  const findRoot = (dir: string): string | undefined => {
    if (dir === '.' || dir === '') return undefined;
    if (rootOf.has(dir)) return rootOf.get(dir);
    const isProject = has(dir, 'project.json') || (has(dir, 'package.json') && !ancestors(dir).some(isContainer));
    const found = isProject ? dir : findRoot(path.posix.dirname(dir));
    rootOf.set(dir, found);
    return found;
  };
  const groups = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const root = findRoot(path.posix.dirname(file));
    if (root === undefined) continue;
    const group = groups.get(root);
    if (group) group.push(file);
    else groups.set(root, [file]);
  }
  return groups;
}
