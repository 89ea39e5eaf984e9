/**
 * Infers the cctrial targets on every project that has tests cctrial runs. Which projects exist,
 * which project owns a test file and which projects run node:test all come from cctrial's own
 * workspace model, so `nx run app:cctrial` runs exactly what `cctrial app` runs, and a project
 * on Jest or Vitest gets no target.
 */
import path from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { DEFAULT_CI_TARGET_NAME, DEFAULT_TARGET_NAME } from '../names';
import { cctrialCiTarget, cctrialTarget } from './target';
import { testedProjects } from './tested-roots';

export interface CctrialPluginOptions {
  /** The name of the watching target (default "cctrial"). */
  targetName?: string;
  /** The name of the cached one-shot target (default "cctrial-ci"); false for none. */
  ciTargetName?: string | false;
}

/** The manifests that make a folder a project: the targets are attached to one of them. */
const PROJECT_MANIFESTS = '**/{project.json,package.json}';

export const createNodes: CreateNodes<CctrialPluginOptions> = [
  PROJECT_MANIFESTS,
  async (manifests, options, context) => {
    // The workspace root is left out: in a package-based repo, running cctrial there runs every package.
    const { roots, cctrialLocked } = await testedProjects(context);
    const tested = new Set(roots.filter((root) => root !== '.'));
    const seenByNx = new Set(manifests);
    return createNodesFromFiles(
      (manifest, pluginOptions, { nxJsonConfiguration }): CreateNodesResult => {
        const root = path.posix.dirname(manifest);
        // One manifest per project carries the targets, and only one Nx itself sees, so a git-ignored folder gets none.
        const carrier = seenByNx.has(`${root}/project.json`) ? `${root}/project.json` : `${root}/package.json`;
        if (!tested.has(root) || manifest !== carrier) return {};
        const targets: NonNullable<CreateNodesResult['projects']>[string]['targets'] = {
          [pluginOptions?.targetName ?? DEFAULT_TARGET_NAME]: cctrialTarget(),
        };
        const ciTargetName = pluginOptions?.ciTargetName ?? DEFAULT_CI_TARGET_NAME;
        if (ciTargetName !== false) targets[ciTargetName] = cctrialCiTarget(nxJsonConfiguration.namedInputs, cctrialLocked);
        return { projects: { [root]: { targets } } };
      },
      manifests,
      options,
      context,
    );
  },
];

/** The same tuple: Nx 19.2-21 look for this name first. */
export const createNodesV2 = createNodes;
