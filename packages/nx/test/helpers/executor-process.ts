/**
 * Runs the real executor in a process of its own, as Nx's forked task process does: argv[2] is
 * `{options, context}` as JSON, and the result goes back over IPC. cctrial inherits this
 * process's stdio, so a test reads cctrial's own output on this process's stdout.
 */
import executor from '../../src/executors/cctrial/executor';

const { options, context } = JSON.parse(process.argv[2]!) as { options: Parameters<typeof executor>[0]; context: Parameters<typeof executor>[1] };
executor(options, context).then(
  (result) => process.send!({ result }, () => process.exit(0)),
  (error: Error) => process.send!({ error: error.message }, () => process.exit(1)),
);
