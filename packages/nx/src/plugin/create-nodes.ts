/**
 * Infers a `cctrial` target on every project that has tests cctrial runs. Which projects exist,
 * which project owns a test file and which projects run node:test all come from cctrial's own
 * workspace model, so `nx run app:cctrial` runs exactly what `cctrial app` runs, and a project
 * on Jest or Vitest gets no target.
 */
import path from 'node:path';
import { logger, type CreateNodes, type CreateNodesContext, type CreateNodesResult } from '@nx/devkit';
import { DEFAULT_TARGET_NAME } from '../names';
import { cctrialTarget } from './target';

export interface CctrialPluginOptions {
  /** The name of the inferred target (default "cctrial"). */
  targetName?: string;
}

/** The manifests that make a folder a project: the target is attached to one of them. */
const PROJECT_MANIFESTS = '**/{project.json,package.json}';

export const createNodes: CreateNodes<CctrialPluginOptions> = [
  PROJECT_MANIFESTS,
  async (manifests, options, context) => {
    const targetName = options?.targetName ?? DEFAULT_TARGET_NAME;
    const seenByNx = new Set(manifests);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    for (const root of await testedProjectRoots(context)) {
      // The workspace root is left out: in a package-based repo, running cctrial there runs every package.
      if (root === '.') continue;
      // Attached to a manifest Nx itself sees, so a git-ignored folder never gets a target.
      const source = [`${root}/project.json`, `${root}/package.json`].find((manifest) => seenByNx.has(manifest));
      if (source) results.push([source, { projects: { [root]: { targets: { [targetName]: cctrialTarget() } } } }]);
    }
    return results;
  },
];

/** The same tuple: Nx 19.2-21 look for this name first. */
export const createNodesV2 = createNodes;

/** Workspace-relative posix roots of the projects with tests. A workspace cctrial cannot read gets no targets, and a warning. */
async function testedProjectRoots(context: CreateNodesContext): Promise<string[]> {
  // cctrial is ESM; this plugin is loaded by Nx as CommonJS.
  const { testedProjects } = await import('cctrial');
  try {
    const tested = await testedProjects(context.workspaceRoot);
    return tested.map(({ project }) => path.relative(context.workspaceRoot, project.root).split(path.sep).join('/') || '.');
  } catch (error) {
    logger.warn(`@cctrial/nx: no cctrial targets were inferred, because ${(error as Error).message}`);
    return [];
  }
}
