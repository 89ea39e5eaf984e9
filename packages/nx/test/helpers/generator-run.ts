/** Runs the init generator on a real folder through generator-process.js, with no Nx daemon. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { InitGeneratorOptions } from '../../src/generators/init/init';

/** What the generator logged, on stdout and stderr; throws with that output if it failed. */
export function runInit(root: string, options: InitGeneratorOptions = {}): string {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'generator-process.js'), JSON.stringify(options)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: undefined, NODE_TEST_CONTEXT: undefined },
  });
  const output = result.stdout + result.stderr;
  if (result.status !== 0) throw new Error(`the init generator failed (exit ${result.status}):\n${output}`);
  return output;
}
