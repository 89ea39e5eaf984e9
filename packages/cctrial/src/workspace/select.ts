/** Positional arguments: a project name, a folder, or a test file. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestFile } from '../discovery.js';
import { ConfigError } from '../errors.js';
import type { Project } from './projects.js';
import { deepestOwner, isInside } from './paths.js';

export interface Selection {
  projects: Project[];
  /** Keeps only the test files under these absolute paths; undefined keeps them all. */
  pathFilters?: string[];
}

/**
 * With no arguments, the project cctrial was started in, as Jest and Vitest do from a package's
 * folder (and as `npm run -w`, turbo and Nx start scripts); from the workspace root, every project.
 */
export function selectProjects(all: Project[], args: string[], cwd: string, root: string = cwd): Selection {
  if (args.length === 0) {
    const here = path.resolve(cwd) === root ? undefined : deepestOwner(all, path.resolve(cwd));
    return { projects: here && here.root !== root ? [here] : all };
  }
  const whole = new Set<Project>();
  const partial = new Set<Project>();
  const pathFilters: string[] = [];
  for (const arg of args) {
    const byName = all.find((project) => project.name === arg);
    if (byName) {
      whole.add(byName);
      continue;
    }
    const absolute = path.resolve(cwd, arg);
    if (!existsSync(absolute)) throw unknownArgument(arg, all);
    const inside = all.filter((project) => isInside(absolute, project.root));
    if (inside.length > 0 && statSync(absolute).isDirectory()) {
      inside.forEach((project) => whole.add(project));
      continue;
    }
    const owner = deepestOwner(all, absolute);
    if (!owner) throw outsideProjects(arg, all);
    partial.add(owner);
    pathFilters.push(absolute);
  }
  const selection: Selection = { projects: all.filter((project) => whole.has(project) || partial.has(project)) };
  // Projects chosen whole keep all their files even when other arguments name single paths.
  if (pathFilters.length > 0) selection.pathFilters = [...pathFilters, ...[...whole].map((project) => project.root)];
  return selection;
}

export function filterByPaths(files: TestFile[], pathFilters: string[] | undefined): TestFile[] {
  if (!pathFilters) return files;
  return files.filter((file) => pathFilters.some((filter) => isInside(filter, file.absolute)));
}

function unknownArgument(arg: string, all: Project[]): ConfigError {
  const names = all.map((project) => project.name).join(', ');
  return new ConfigError(
    `"${arg}" is neither a project of this workspace nor an existing path. ` +
      `Give a project name (${names || 'none found'}), or a folder or test file inside one.`,
  );
}

function outsideProjects(arg: string, all: Project[]): ConfigError {
  return new ConfigError(
    `"${arg}" exists but is not inside any project of this workspace, so it has no tests to run. ` +
      `Give a project name (${all.map((project) => project.name).join(', ') || 'none found'}), or a folder or test file inside one.`,
  );
}
