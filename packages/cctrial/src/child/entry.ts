/**
 * The main module of every test child: `node [loader] --test-reporter=<reporter> entry.js [<test file>]`.
 * Running the file in-process, rather than under `node --test`, halves the start-up cost of a child
 * and lets us report what node:test cannot: where process.exit() was called, and why a file failed to load.
 *
 * Without a file argument the child is pre-warmed: Node, the loader, node:test and the reporter are
 * loaded, then it waits for one line on stdin, `{"file", "cwd"}`, before importing any project code.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import 'node:test';
import { writeFrame } from './reporter.js';
import { serializeError } from './serialize-error.js';

export interface GoMessage {
  file: string;
  cwd: string;
}

const testFile = process.argv[2] ?? (await waitForGo());

const realExit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const exitCode = Number(code ?? process.exitCode ?? 0);
  writeFrame({ type: 'exit-called', data: { code: exitCode, stack: new Error('process.exit() called').stack ?? '' } });
  return realExit(exitCode);
}) as typeof process.exit;

// The test file should see itself as the main module, as it would under `node --test`.
process.argv.splice(1, process.argv.length - 1, testFile);

try {
  await import(pathToFileURL(testFile).href);
} catch (error) {
  writeFrame({ type: 'load-error', data: { error: serializeError(error) } });
  // Rethrow so that Node prints its own report, which for a syntax error is the only one naming the line.
  throw error;
}

async function waitForGo(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  const [line] = await lines[Symbol.asyncIterator]().next().then((result) => (result.done ? [] : [result.value]));
  lines.close();
  // stdin stays open in a warm child; tests must see it as they would under node --test: empty.
  process.stdin.destroy();
  if (!line) process.exit(0); // The parent discarded this child without using it.
  const go = JSON.parse(line) as GoMessage;
  process.chdir(go.cwd);
  return go.file;
}
