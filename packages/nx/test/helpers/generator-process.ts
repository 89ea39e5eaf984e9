/**
 * Runs the real init generator in a process of its own, in the workspace that is its cwd, as
 * `nx g @cctrial/nx:init` does: a tree on the real files, flushed to disk at the end. A process,
 * because Nx fixes its workspace root (which the project graph is built for) when it loads.
 */
import { flushChanges, FsTree } from 'nx/src/generators/tree';
import { initGenerator, type InitGeneratorOptions } from '../../src/generators/init/init';

const options = JSON.parse(process.argv[2]!) as InitGeneratorOptions;
const tree = new FsTree(process.cwd(), false);
initGenerator(tree, options).then(
  () => flushChanges(process.cwd(), tree.listChanges()),
  (error: Error) => {
    console.error(error.stack);
    process.exitCode = 1;
  },
);
