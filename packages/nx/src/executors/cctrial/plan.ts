/** From the executor's options and context to the cctrial command line: plain data, no I/O. */
import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { localDependencies, projectRoot } from './graph';
import { flagsFor, type CctrialExecutorOptions } from './schema';

export interface RunPlan {
  /** Where cctrial runs: the workspace root, so that project paths are relative to it. */
  cwd: string;
  /** cctrial's arguments: flags, then the folders (or the one test file) whose tests run. */
  args: string[];
  /** Workspace-relative folders of the projects whose tests run. */
  tested: string[];
  /** Workspace-relative folders of the local dependencies, each watched with --watch. */
  dependencies: string[];
  /** In a run-many that watches, the project whose task runs this one's tests; this task has nothing to do. */
  ranBy?: string;
}

/**
 * cctrial finds linked packages by itself, but the Nx graph also knows implicit dependencies and
 * (with @nx/js) TypeScript path imports, so every dependency root is passed as --watch as well.
 *
 * A run of several projects' cctrial tasks that watches (run-many, affected) runs one cctrial for
 * all of them, in the task of the first project by name: a task that never ends holds one of
 * --parallel's slots, so one task per project would leave the rest waiting, and one cctrial groups
 * the failures of all of them. The other tasks end at once.
 */
export function planRun(options: CctrialExecutorOptions, context: ExecutorContext): RunPlan {
  const name = context.projectName;
  if (!name) throw new Error('The cctrial executor runs for one project: use "nx run <project>:cctrial".');
  if (options.grep !== undefined && options.testNamePattern !== undefined && options.grep !== options.testNamePattern) {
    throw new Error(
      `grep ("${options.grep}") and testNamePattern ("${options.testNamePattern}") are one option under two names, and they differ here. ` +
        'Give one of them, on the command line or in the target\'s options.',
    );
  }
  const graph = context.projectGraph;
  const watching = !(options.once || options.watch === false || options.printConfig);
  const projects = watching && !options.testFile ? projectsOfRun(context, name) : [name];
  if (projects[0] !== name) return { cwd: context.root, args: [], tested: [], dependencies: [], ranBy: projects[0] };
  const roots = projects.map((project) => projectRoot(graph, project));
  const dependencies = [...new Set(projects.flatMap((project) => localDependencies(graph, project)).map((dependency) => projectRoot(graph, dependency)))].filter(
    (root) => !roots.includes(root) && root !== '.',
  );
  const tested = options.withDeps ? [...roots, ...dependencies] : roots;
  const watchFolders = [...new Set([...dependencies, ...(options.watchFolders ?? [])])];
  const mode = options.watch === true ? ['--forever'] : options.watch === false ? ['--once'] : [];
  // testNamePattern is grep by Jest's name: one --grep for both.
  const { testNamePattern, ...rest } = options;
  const flags = [...mode, ...flagsFor({ ...rest, grep: options.grep ?? testNamePattern, watchFolders })];
  const targets = options.testFile ? [testFilePath(options.testFile, roots[0]!)] : tested;
  return { cwd: context.root, args: [...flags, ...targets], tested, dependencies };
}

/** The projects of this target's tasks in the same Nx run, sorted by name; just this one when it runs alone. */
function projectsOfRun(context: ExecutorContext, name: string): string[] {
  const tasks = Object.values(context.taskGraph?.tasks ?? {}).filter((task) => task.target.target === context.targetName);
  const projects = [...new Set(tasks.map((task) => task.target.project))].sort();
  return projects.includes(name) ? projects : [name];
}

/** As typed after `nx run app:cctrial`: relative to the project, unless it already starts with the project's folder. */
function testFilePath(file: string, projectFolder: string): string {
  const posix = file.split(path.sep).join('/').replace(/^\.\//, '');
  if (path.isAbsolute(file) || projectFolder === '.' || posix.startsWith(`${projectFolder}/`)) return file;
  return path.posix.join(projectFolder, posix);
}
