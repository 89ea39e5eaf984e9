/** From the executor's options and context to the cctrial command line: plain data, no I/O. */
import type { ExecutorContext } from '@nx/devkit';
import { localDependencies, projectRoot } from './graph';
import { flagsFor, type CctrialExecutorOptions } from './schema';

export interface RunPlan {
  /** Where cctrial runs: the workspace root, so that project paths are relative to it. */
  cwd: string;
  /** cctrial's arguments: flags, then the folders of the projects whose tests run. */
  args: string[];
  /** Workspace-relative folders of the projects whose tests run. */
  tested: string[];
  /** Workspace-relative folders of the local dependencies, each watched with --watch. */
  dependencies: string[];
}

/**
 * cctrial finds linked packages by itself, but the Nx graph also knows implicit dependencies and
 * (with @nx/js) TypeScript path imports, so every dependency root is passed as --watch as well.
 */
export function planRun(options: CctrialExecutorOptions, context: ExecutorContext): RunPlan {
  const name = context.projectName;
  if (!name) throw new Error('The cctrial executor runs for one project: use "nx run <project>:cctrial".');
  const graph = context.projectGraph;
  const own = projectRoot(graph, name);
  const dependencies = [...new Set(localDependencies(graph, name).map((dependency) => projectRoot(graph, dependency)))].filter(
    (root) => root !== own && root !== '.',
  );
  const tested = options.withDeps ? [own, ...dependencies] : [own];
  const watch = [...new Set([...dependencies, ...(options.watch ?? [])])];
  const flags = flagsFor({ ...options, watch });
  return { cwd: context.root, args: [...flags, ...tested], tested, dependencies };
}
