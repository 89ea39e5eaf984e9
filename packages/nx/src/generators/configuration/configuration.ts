/**
 * `nx g @cctrial/nx:configuration <project>`: writes an explicit cctrial target into one project,
 * for workspaces that do not use the inferred one or want its options in the open. Running it
 * again changes nothing; a different target of the same name is an error, never overwritten.
 */
import { formatFiles, readProjectConfiguration, updateProjectConfiguration, type TargetConfiguration, type Tree } from '@nx/devkit';
import { DEFAULT_TARGET_NAME, EXECUTOR } from '../../names';
import type { CctrialExecutorOptions } from '../../executors/cctrial/schema';

export interface ConfigurationGeneratorOptions {
  project: string;
  targetName?: string;
  withDeps?: boolean;
  skipFormat?: boolean;
}

export async function configurationGenerator(tree: Tree, options: ConfigurationGeneratorOptions): Promise<void> {
  const targetName = options.targetName ?? DEFAULT_TARGET_NAME;
  const project = readProjectConfiguration(tree, options.project);
  const existing = project.targets?.[targetName];
  if (existing) {
    if (existing.executor === EXECUTOR) return;
    throw new Error(
      `Project "${options.project}" already has a target "${targetName}" (${existing.executor ?? existing.command ?? 'no executor'}). ` +
        'Remove it, or pick another name with --targetName.',
    );
  }
  project.targets = { ...project.targets, [targetName]: explicitTarget(options) };
  updateProjectConfiguration(tree, options.project, project);
  if (!options.skipFormat) await formatFiles(tree);
}

function explicitTarget(options: ConfigurationGeneratorOptions): TargetConfiguration<CctrialExecutorOptions> {
  return { executor: EXECUTOR, cache: false, options: options.withDeps ? { withDeps: true } : {} };
}

export default configurationGenerator;
