/** Positional arguments: a project name or name pattern, a folder, a test file, or `!name` to leave projects out. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
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
  // `!name` and `!@scope/*` leave projects out of whatever the other arguments select, as in Nx's -p.
  const excluded = args.filter((arg) => arg.startsWith('!')).map((arg) => arg.slice(1));
  const leftOut = new Set<Project>();
  for (const pattern of excluded) {
    const matched = matchingProjects(pattern, all);
    if (matched.length === 0) throw new ConfigError(`"!${pattern}" leaves nothing out: no project name matches "${pattern}" (${projectNames(all)}).`);
    matched.forEach((project) => leftOut.add(project));
  }
  const keep = (selection: Selection): Selection => ({ ...selection, projects: selection.projects.filter((project) => !leftOut.has(project)) });
  const included = args.filter((arg) => !arg.startsWith('!'));
  if (included.length === 0) {
    const here = path.resolve(cwd) === root ? undefined : deepestOwner(all, path.resolve(cwd));
    return keep({ projects: here && here.root !== root ? [here] : all });
  }
  const whole = new Set<Project>();
  const partial = new Set<Project>();
  const pathFilters: string[] = [];
  for (const arg of included) {
    const absolute = path.resolve(cwd, arg);
    // A path that exists is a path, even with glob characters in its name.
    const pattern = isNamePattern(arg) && !existsSync(absolute);
    const named = pattern ? matchingProjects(arg, all) : all.filter((project) => project.name === arg);
    if (named.length > 0) {
      named.forEach((project) => whole.add(project));
      continue;
    }
    if (pattern) throw new ConfigError(`No project name matches "${arg}". Give a name or a pattern such as @scope/* (${projectNames(all)}).`);
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
  return keep(selection);
}

/** `@scope/*`, `app-?`, `{web,api}`: a glob over project names, as picomatch reads it. */
function isNamePattern(arg: string): boolean {
  return /[*?[\]{}]/.test(arg);
}

function matchingProjects(pattern: string, all: Project[]): Project[] {
  const matches = picomatch(pattern, { dot: true });
  return all.filter((project) => matches(project.name));
}

export function filterByPaths(files: TestFile[], pathFilters: string[] | undefined): TestFile[] {
  if (!pathFilters) return files;
  return files.filter((file) => pathFilters.some((filter) => isInside(filter, file.absolute)));
}

function unknownArgument(arg: string, all: Project[]): ConfigError {
  const near = nearNames(arg, all);
  const guess = near.length > 0 ? `Did you mean ${near.join(' or ')}? ` : '';
  return new ConfigError(`"${arg}" is neither a project of this workspace nor an existing path. ${guess}Give a project name (${projectNames(all)}), or a folder or test file inside one.`);
}

function outsideProjects(arg: string, all: Project[]): ConfigError {
  return new ConfigError(
    `"${arg}" exists but is not inside any project of this workspace, so it has no tests to run. ` +
      `Give a project name (${projectNames(all)}), or a folder or test file inside one.`,
  );
}

const LISTED_NAMES = 10;

/** The names, each once (a folder with both a package.json and a project.json is one project), the first few. */
function projectNames(all: Project[]): string {
  const names = uniqueNames(all);
  if (names.length === 0) return 'none found';
  const more = names.length - LISTED_NAMES;
  return names.slice(0, LISTED_NAMES).join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/** Names the argument could mean: the same name in a scope (`headers`, `@scope/headers`), or one that contains it, whatever the case. */
function nearNames(arg: string, all: Project[]): string[] {
  const wanted = unscoped(arg).toLowerCase();
  if (wanted === '') return [];
  const names = uniqueNames(all);
  const same = names.filter((name) => unscoped(name).toLowerCase() === wanted);
  if (same.length > 0) return same;
  return names.filter((name) => name.toLowerCase().includes(wanted)).slice(0, 3);
}

function uniqueNames(all: Project[]): string[] {
  return [...new Set(all.map((project) => project.name))].sort();
}

function unscoped(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}
