/**
 * `nx run <project>:cctrial`: a thin adapter. It reads the project's folder and its local
 * dependencies from the project graph, runs the real cctrial CLI on them, and turns its exit code
 * into `{ success }`. The engine never sees Nx.
 */
import type { ExecutorContext } from '@nx/devkit';
import { resolveCctrialBin } from './cctrial-bin';
import { planRun } from './plan';
import type { CctrialExecutorOptions } from './schema';
import { runCli } from './spawn';
import { tsconfigEnv } from './tsconfig-env';

export default async function cctrialExecutor(options: CctrialExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const plan = planRun(options, context);
  if (plan.ranBy) {
    process.stdout.write(`@cctrial/nx: ${context.projectName}'s tests run in the cctrial of ${plan.ranBy}'s task, which runs every project of this run in one cctrial.\n`);
    return { success: true };
  }
  const bin = resolveCctrialBin(context.root);
  const env = tsconfigEnv(context.root, plan.tested);
  if (context.isVerbose) {
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value} `).join('');
    process.stderr.write(`@cctrial/nx: ${assignments}${process.execPath} ${bin} ${plan.args.join(' ')}  (in ${plan.cwd})\n`);
  }
  const code = await runCli(bin, plan.args, plan.cwd, env);
  return { success: code === 0 };
}
