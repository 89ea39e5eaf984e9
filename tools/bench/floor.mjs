/**
 * The fix-loop floor: an already-running Node process that, on each "go N" line on stdin, imports
 * the test file afresh and runs the one target test. Every module of the workspace that the test
 * file loads (its module under test, @bench/shared) is loaded anew too, through floor-hooks.mjs;
 * node:test, node:assert and the reporter stay loaded. Run as:
 *
 *   FLOOR_TARGET=<test name> node --expose-gc --test-reporter=./floor-reporter.mjs \
 *     --test-name-pattern=<pattern> floor.mjs <test file>
 *
 * floor-reporter.mjs prints "VERDICT pass|fail" when the target's result is reported.
 */
import { register } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

register('./floor-hooks.mjs', import.meta.url);
const file = pathToFileURL(process.argv[2]).href;

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, generation] = line.trim().split(' ');
  if (command === 'go') {
    import(`${file}?g=${generation}`).then(
      // Each generation stays in the module map: collect its garbage now, outside the next timed import.
      () => setTimeout(() => globalThis.gc?.(), 100),
      (error) => process.stdout.write(`VERDICT error ${String(error.message).split('\n')[0]}\n`),
    );
  } else if (command === 'quit') {
    process.exit(0);
  }
});
process.stdout.write('FLOOR READY\n');
