/**
 * Which changes can change a verdict. Once git's and the user's ignore rules are applied, a change
 * counts when it is to a file some test imported, a test file, a manifest that decides how tests run,
 * or a new module in a folder that holds code. Files that tests write but never import (logs,
 * databases, output folders) never start a run.
 */
import path from 'node:path';
import type { ChangeBatch } from './watcher.js';

/** What is known of the workspace's code: from the test files and the module graphs their runs recorded. */
export interface CodeKnowledge {
  isTestFile(file: string): boolean;
  /** A file of the project's tests' module graphs, or a folder above one (a deleted folder). */
  isImported(file: string): boolean;
  /** A folder that holds a test file or an imported module. */
  holdsCode(folder: string): boolean;
  /** Whether a new file would be one of the tests, or a new folder holds some (discovery's rule). */
  wouldBeTestFile(file: string): boolean;
  /** A folder that is or holds a project: a known one (when it went) or one with a manifest (when it came). */
  holdsProject(folder: string): boolean;
}

export interface RelevantChange {
  /** The files that count, absolute and sorted. */
  files: string[];
  created: string[];
  deleted: string[];
  /** A manifest that defines the workspace's projects changed, appeared or went: projects, links and watch set need reading again. */
  workspaceChanged: boolean;
  /** Files that Node or a loader read at start-up: booted children are stale. */
  configChanged: boolean;
}

/** Read by node, the package manager or a loader before any test runs. */
const CONFIG_FILE = /^(?:package\.json|package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lockb?|(?:ts|js)config(?:\..*)?\.json|\.env(?:\..*)?|\.npmrc)$/;
/** Define which projects exist and how they run. */
const WORKSPACE_FILE = /^(?:package\.json|project\.json|pnpm-workspace\.yaml|nx\.json|cctrial\.config\.(?:json|mjs|js))$/;
/** What a new file must be to become code a test could import. */
const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx|json|node|wasm)$/;

export function relevantChange(batch: ChangeBatch, code: CodeKnowledge): RelevantChange {
  const created = new Set(batch.created);
  const deleted = new Set(batch.deleted);
  const comesOrGoes = (file: string) => created.has(file) || deleted.has(file);
  const movesProject = (file: string) => comesOrGoes(file) && code.holdsProject(file);
  const counts = (file: string): boolean => {
    const name = path.basename(file);
    if (CONFIG_FILE.test(name) || WORKSPACE_FILE.test(name) || movesProject(file)) return true;
    if (code.isTestFile(file) || code.isImported(file)) return true;
    if (created.has(file)) return code.wouldBeTestFile(file) || (MODULE_FILE.test(name) && code.holdsCode(path.dirname(file)));
    return false;
  };
  const files = batch.changed.filter(counts).sort();
  // A package.json edit may rename a package; a folder that comes or goes with a project in it adds or removes one.
  const workspaceChanged = files.some((file) => WORKSPACE_FILE.test(path.basename(file)) || movesProject(file));
  return {
    files,
    created: files.filter((file) => created.has(file)),
    deleted: files.filter((file) => deleted.has(file)),
    workspaceChanged,
    configChanged: files.some((file) => CONFIG_FILE.test(path.basename(file))),
  };
}
