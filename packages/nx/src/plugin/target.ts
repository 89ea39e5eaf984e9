/** The inferred targets: plain data, the same for every project. */
import type { TargetConfiguration } from '@nx/devkit';
import { EXECUTOR } from '../names';

/**
 * The watch loop. Not `continuous`: Nx gives a lone non-continuous task a real pseudo-terminal for
 * stdout, so cctrial's status line works in `nx run app:cctrial`; a continuous one gets pipes
 * (README, "The terminal"). `cache: false` is written out so that a targetDefaults entry can never
 * make a watch loop cacheable.
 */
export function cctrialTarget(): TargetConfiguration {
  return {
    executor: EXECUTOR,
    cache: false,
    options: {},
    metadata: {
      technologies: ['node'],
      description: "Runs the project's node:test tests with cctrial, and again on every change here or in its local dependencies",
      help: {
        command: 'npx cctrial --help',
        example: { options: { once: true, withDeps: true } },
      },
    },
  };
}

/**
 * One run, cached by Nx: what @nx/jest and @nx/vite infer as their cacheable test targets. The
 * inputs are the project's files and its dependencies' production files, so a change to a
 * dependency's tests does not re-run this project's. Without a `production` named input, all of
 * a dependency's files count: a miss too many, never a stale pass. The Node version and cctrial's
 * are inputs because verdicts differ between them (type stripping, node:test's defaults).
 */
export function cctrialCiTarget(namedInputs: Record<string, unknown> | undefined, cctrialLocked: boolean): TargetConfiguration {
  const dependencies = namedInputs && 'production' in namedInputs ? '^production' : '^default';
  // cctrial's version is known to Nx only from the lockfile; a cctrial linked from a folder is not in it.
  const cctrialVersion = cctrialLocked ? [{ externalDependencies: ['cctrial'] }] : [];
  return {
    executor: EXECUTOR,
    cache: true,
    inputs: ['default', dependencies, ...cctrialVersion, { runtime: 'node --version' }],
    // The results, for `cctrial --via nx`, which reads them back from this run or from the cache, at this
    // very path (packages/cctrial/src/runner/via-nx.ts).
    outputs: ['{options.results}'],
    options: { once: true, results: '{workspaceRoot}/node_modules/.cache/cctrial/results/{projectName}.json' },
    metadata: {
      technologies: ['node'],
      description: "Runs the project's node:test tests once with cctrial, cached until the project or its dependencies change",
      help: {
        command: 'npx cctrial --help',
        example: { options: { withDeps: true } },
      },
    },
  };
}
