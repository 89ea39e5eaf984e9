import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { resolveCctrialBin } from '../../src/executors/cctrial/cctrial-bin';
import { FLAGS } from '../../src/executors/cctrial/schema';

const packageRoot = path.join(__dirname, '../../..');
const readJson = (relative: string) => JSON.parse(readFileSync(path.join(packageRoot, relative), 'utf8'));

describe('the executor options', () => {
  test('src/executors/cctrial/schema.json declares exactly the mapped flags, plus the planned options', () => {
    const properties = Object.keys(readJson('src/executors/cctrial/schema.json').properties).sort();
    assert.deepEqual(properties, [...Object.keys(FLAGS), 'testFile', 'watch', 'withDeps'].sort());
  });

  test('every cctrial flag has an executor option, but those the executor decides itself', () => {
    const help = execFileSync(process.execPath, [resolveCctrialBin(packageRoot), '--help'], { encoding: 'utf8' });
    const cliFlags = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((match) => match[1]!);
    const mapped = new Set(Object.values(FLAGS).map(({ flag }) => flag));
    // --cwd: the executor runs cctrial in the workspace root; --no-notify: notify false; --help, --version: not for a target;
    // --via nx: runs nx run-many itself, never from inside an Nx task.
    const decided = new Set(['--cwd', '--no-notify', '--help', '--version', '--via']);
    const missing = [...new Set(cliFlags)].filter((flag) => !mapped.has(flag) && !decided.has(flag));
    assert.deepEqual(missing, []);
    assert.ok(cliFlags.length > 15, help);
  });

  test('every mapped flag is one that the installed cctrial CLI lists in --help', () => {
    const help = execFileSync(process.execPath, [resolveCctrialBin(packageRoot), '--help'], { encoding: 'utf8' });
    for (const { flag } of Object.values(FLAGS)) assert.ok(help.includes(flag), `cctrial --help does not mention ${flag}:\n${help}`);
  });

  test('executors.json and generators.json point at built modules with the expected exports', () => {
    const { executors } = readJson('executors.json');
    assert.equal(typeof require(path.join(packageRoot, executors.cctrial.implementation)).default, 'function');
    const { generators } = readJson('generators.json');
    for (const name of ['init', 'configuration']) {
      assert.equal(typeof require(path.join(packageRoot, generators[name].factory)).default, 'function', name);
      assert.ok(readJson(generators[name].schema).properties, `${name} schema`);
    }
    assert.deepEqual(generators.init.aliases, ['ng-add'], 'nx add runs the init generator through its ng-add alias');
  });
});
