/**
 * `--via nx`: a suite step as `nx run-many -t cctrial-ci`, so that Nx's task runner and its cache,
 * local or remote, give each project's results. A project whose inputs did not change comes back
 * from the cache without a test process; the rest run, each as `cctrial --once --results FILE`.
 * The results files (results-file.ts) are the target's outputs, so Nx restores them with a hit.
 */
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readResultsFile, type ResultsFile } from '../results-file.js';
import { defaultCacheDir } from '../saved-state.js';
import { killGroup, spawnGroup } from './process-group.js';

/**
 * The target @cctrial/nx infers, and where it writes each project's results: its `results` option,
 * `{workspaceRoot}/node_modules/.cache/cctrial/results/{projectName}.json` (packages/nx/src/plugin/target.ts).
 */
const VIA_NX_TARGET = 'cctrial-ci';
const resultsFileOf = (root: string, project: string): string => path.join(defaultCacheDir(root), 'results', `${project}.json`);

interface ProjectResults {
  project: string;
  contents: ResultsFile;
  /** Nx's cache gave the file: it was written before this run-many began. */
  cached: boolean;
}

/** How much of Nx's output an error shows. */
const OUTPUT_TAIL_CHARS = 4_000;

export async function runSuiteViaNx(root: string, projects: string[], jobs: number, signal?: AbortSignal): Promise<{ projects: ProjectResults[]; aborted: boolean }> {
  const nx = nxBin(root);
  // A file left by an earlier run must never stand for this one: Nx writes or restores each anew.
  for (const project of projects) rmSync(resultsFileOf(root, project), { force: true });
  const startedAt = Date.now();
  // --parallel: as many tasks at once as cctrial would run test files.
  const args = [nx, 'run-many', '-t', VIA_NX_TARGET, `--projects=${projects.join(',')}`, `--parallel=${jobs}`, '--outputStyle=static'];
  const { output, aborted } = await run(args, root, signal);
  if (aborted) return { projects: [], aborted: true };
  const found: ProjectResults[] = [];
  for (const project of projects) {
    const { contents, problem } = readResultsFile(resultsFileOf(root, project));
    if (!contents) {
      throw new ConfigError(
        `--via nx: nx run-many -t ${VIA_NX_TARGET} ran, but for ${project} ${problem}. Check that @cctrial/nx infers the ${VIA_NX_TARGET} target ` +
          `(nx show project ${project}), or run without --via nx. The end of Nx's output:\n${output.slice(-OUTPUT_TAIL_CHARS)}`,
      );
    }
    found.push({ project, contents, cached: contents.writtenAt < startedAt });
  }
  return { projects: found, aborted: false };
}

/** The workspace's own nx: --via nx runs what the user's `nx` would. */
function nxBin(root: string): string {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('nx/bin/nx.js');
  } catch {
    throw new ConfigError(`--via nx needs nx installed in the workspace (${root}), and @cctrial/nx registered in nx.json. Install them (nx add @cctrial/nx), or run without --via nx.`);
  }
}

function run(args: string[], cwd: string, signal?: AbortSignal): Promise<{ output: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    // Its own process group, known to the reaper: a cancelled step, or a killed cctrial, ends nx and every task it started.
    const child = spawnGroup(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NX_TUI: 'false', FORCE_COLOR: '0' } });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS * 2);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const abort = () => killGroup(child);
    signal?.addEventListener('abort', abort, { once: true });
    child.on('error', reject);
    // nx exits 1 when a project's tests fail: the results files say which.
    child.on('close', () => {
      signal?.removeEventListener('abort', abort);
      resolve({ output, aborted: signal?.aborted ?? false });
    });
  });
}
