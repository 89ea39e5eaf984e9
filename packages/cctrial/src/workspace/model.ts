/**
 * The workspace model: its root, its projects and what each project's tests run with. The CLI,
 * `cctrial init` and the Nx plugin all read a workspace through here, so they agree on which
 * projects exist, which project owns a file and which projects have node:test tests.
 */
import { discoverTestFiles, type TestFile } from '../discovery.js';
import { loadWorkspaceConfig, type WorkspaceConfig } from '../config/file.js';
import { resolveSettings, type CliSettings, type ProjectSettings } from '../config/settings.js';
import { listProjects, type Project } from './projects.js';
import { findWorkspaceRoot, type WorkspaceRoot } from './root.js';

export interface WorkspaceModel {
  workspace: WorkspaceRoot;
  config: WorkspaceConfig;
  projects: Project[];
  /** What each project runs, by project root. */
  settings: Map<string, ProjectSettings>;
}

/** Reads the workspace around `cwd`, its configuration and its projects' test scripts. */
export async function loadWorkspaceModel(cwd: string, cli: CliSettings = { nodeArgs: [], excludeProjects: [] }): Promise<WorkspaceModel> {
  const workspace = findWorkspaceRoot(cwd);
  const config = await loadWorkspaceConfig(workspace.root);
  const projects = listProjects(workspace);
  const settings = new Map(resolveSettings(projects, workspace.root, config, cli).map((resolved) => [resolved.project.root, resolved]));
  return { workspace, config, projects, settings };
}

/** Every test file cctrial runs in the workspace, each under the project that owns it. */
export function allTestFiles(model: WorkspaceModel): TestFile[] {
  return discoverTestFiles(model.projects, model.workspace.root, model.projects, (project) => model.settings.get(project.root));
}

/**
 * The projects with at least one test file that cctrial runs, with the first of them. Projects left
 * out (another runner, `skip`, `excludeProjects`) are not among them.
 */
export async function testedProjects(cwd: string): Promise<Array<{ project: Project; firstTestFile: string }>> {
  const model = await loadWorkspaceModel(cwd);
  const first = new Map<string, string>();
  for (const file of allTestFiles(model)) if (!first.has(file.projectRoot)) first.set(file.projectRoot, file.absolute);
  return model.projects.flatMap((project) => {
    const firstTestFile = first.get(project.root);
    return firstTestFile ? [{ project, firstTestFile }] : [];
  });
}
