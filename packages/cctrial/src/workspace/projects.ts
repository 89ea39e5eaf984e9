/** The projects of a workspace: package folders from the workspace globs, or Nx project.json folders. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { ConfigError } from '../errors.js';
import { readPackageJson, type WorkspaceRoot } from './root.js';

export interface Project {
  name: string;
  /** Absolute path of the project folder. */
  root: string;
}

export const IGNORED_FOLDERS = ['node_modules', '.git', '.hg', '.svn', '.nx', '.turbo', 'coverage', 'dist'];
const IGNORE_GLOBS = IGNORED_FOLDERS.map((folder) => `**/${folder}/**`);

export function listProjects(workspace: WorkspaceRoot): Project[] {
  const projects = new Map<string, Project>();
  const add = (dir: string, name: string | undefined) => {
    const root = path.resolve(workspace.root, dir);
    if (!projects.has(root)) projects.set(root, { name: name ?? path.basename(root), root });
  };

  // Nx names a project after project.json when it has one, so that name wins.
  if (workspace.hasNx) {
    for (const manifest of fg.sync('**/project.json', { cwd: workspace.root, ignore: IGNORE_GLOBS }).sort()) {
      add(path.dirname(manifest), readProjectJsonName(path.resolve(workspace.root, manifest)));
    }
  }
  if (workspace.projectGlobs.length > 0) {
    const include = workspace.projectGlobs.filter((glob) => !glob.startsWith('!'));
    const exclude = workspace.projectGlobs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
    const manifests = fg.sync(include.map((glob) => `${glob.replace(/\/$/, '')}/package.json`), {
      cwd: workspace.root,
      ignore: [...IGNORE_GLOBS, ...exclude.map((glob) => `${glob.replace(/\/$/, '')}/package.json`)],
    });
    for (const manifest of manifests.sort()) add(path.dirname(manifest), readPackageJson(path.resolve(workspace.root, path.dirname(manifest)))?.name);
  }
  // The root package is a project too: its own tests (outside every package) run as its script says.
  add('.', readPackageJson(workspace.root)?.name);
  return [...projects.values()];
}

function readProjectJsonName(file: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON (${(error as Error).message}). Fix the file and run cctrial again.`);
  }
}
