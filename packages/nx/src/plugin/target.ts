/** The inferred target: plain data, the same for every project. */
import type { TargetConfiguration } from '@nx/devkit';
import { EXECUTOR } from '../names';

/**
 * Not `continuous`: Nx gives a lone non-continuous task a real pseudo-terminal for stdout, so
 * cctrial's status line works in `nx run app:cctrial`; a continuous one gets pipes (README, "The terminal").
 * `cache: false` is written out so that a targetDefaults entry can never make a watch loop cacheable.
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
