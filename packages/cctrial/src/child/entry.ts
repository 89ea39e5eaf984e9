/**
 * The main module of every test child: `node [loader] --test-reporter=<reporter> entry.js <test file>`.
 * Running the file in-process, rather than under `node --test`, halves the start-up cost of a child
 * and lets us report what node:test cannot: where process.exit() was called, and why a file failed to load.
 */
import { pathToFileURL } from 'node:url';
import { writeFrame } from './reporter.js';
import { serializeError } from './serialize-error.js';

const testFile = process.argv[2];
if (!testFile) throw new Error('cctrial child: missing test file argument');

const realExit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const exitCode = Number(code ?? process.exitCode ?? 0);
  writeFrame({ type: 'exit-called', data: { code: exitCode, stack: new Error('process.exit() called').stack ?? '' } });
  return realExit(exitCode);
}) as typeof process.exit;

// The test file should see itself as the main module, as it would under `node --test`.
process.argv.splice(1, 2, testFile);

try {
  await import(pathToFileURL(testFile).href);
} catch (error) {
  writeFrame({ type: 'load-error', data: { error: serializeError(error) } });
  // Rethrow so that Node prints its own report, which for a syntax error is the only one naming the line.
  throw error;
}
