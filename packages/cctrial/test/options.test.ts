/** Command-line flags: defaults, validation and help. */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../src/errors.js';
import { fileURLToPath } from 'node:url';
import { checkFolders, FLAGS, helpText, parseOptions } from '../src/options.js';

const CWD = '/work/repo';
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(argv, env, CWD);

function rejects(argv: string[], message: RegExp): void {
  assert.throws(
    () => parse(argv),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('parseOptions', () => {
  it('fills in the defaults', () => {
    const options = parse([]);
    assert.equal(options.cwd, CWD);
    assert.deepEqual(options.targets, []);
    assert.equal(options.once, false);
    assert.equal(options.forever, false);
    assert.equal(options.json, false);
    assert.equal(options.jobs, availableParallelism());
    assert.equal(options.timeoutMs, undefined);
    assert.equal(options.notify, undefined, 'on while watching, off with --once: decided by the CLI');
    assert.equal(options.verbose, false);
    assert.equal(options.help, false);
    assert.equal(options.grep, undefined);
    assert.equal(options.importModule, undefined);
  });

  it('reads short and long flags, and keeps positionals as targets', () => {
    const options = parse(['-j', '3', '-g', 'parser', '-v', '--json', '--no-notify', '@acme/core', 'apps/web']);
    assert.equal(options.jobs, 3);
    assert.equal(options.grep, 'parser');
    assert.equal(options.verbose, true);
    assert.equal(options.json, true);
    assert.equal(options.notify, false);
    assert.deepEqual(options.targets, ['@acme/core', 'apps/web']);
    assert.equal(parse(['--jobs=2']).jobs, 2);
  });

  it('--notify forces notifications on, --no-notify off, and the two together are an error', () => {
    assert.equal(parse(['--notify', '--once']).notify, true);
    assert.equal(parse(['--no-notify']).notify, false);
    assert.throws(() => parse(['--notify', '--no-notify']), /--notify and --no-notify contradict each other: pass one of them\./);
  });

  it('takes --timeout only when given, so that the config and the test script can set it', () => {
    assert.equal(parse(['--timeout', '2000']).timeoutMs, 2000);
    assert.equal(parse(['--timeout', '0']).timeoutMs, 0);
    assert.equal(parse([]).timeoutMs, undefined);
  });

  it('refuses a --timeout that timers cannot wait for', () => {
    rejects(['--timeout', '2147480000'], /^--timeout must be at most \d+ .*Use 0 for no timeout\.$/);
  });

  it('takes --isolation process or none only, and leaves it to the projects when not given', () => {
    assert.equal(parse(['--isolation', 'none']).isolation, 'none');
    assert.equal(parse(['--isolation', 'process']).isolation, 'process');
    assert.equal(parse([]).isolation, undefined);
    rejects(['--isolation', 'shared'], /^--isolation must be "process" .* or "none" .*, but is "shared"\.$/);
  });

  it('passes --node-arg and the words after -- to node, and --exclude leaves projects out', () => {
    const options = parse(['--node-arg=--no-warnings', '--exclude', '@a/web', '@a/core', '--', '--experimental-test-module-mocks', '--import=./x.mjs']);
    assert.deepEqual(options.nodeArgs, ['--no-warnings', '--experimental-test-module-mocks', '--import=./x.mjs']);
    assert.deepEqual(options.excludeProjects, ['@a/web']);
    assert.deepEqual(options.targets, ['@a/core']);
  });

  it('as a task of Nx or Turborepo, keeps watching after a green suite unless told --once, or in CI', () => {
    for (const env of [{ NX_TASK_TARGET_PROJECT: 'app' }, { TURBO_HASH: '0123abcd' }]) {
      assert.deepEqual([parse([], env).forever, parse([], env).once], [true, false]);
      assert.deepEqual([parse(['--once'], env).forever, parse(['--once'], env).once], [false, true]);
      assert.deepEqual([parse([], { ...env, CI: '1' }).forever, parse([], { ...env, CI: '1' }).once], [false, true]);
    }
    assert.equal(parse([]).forever, false);
  });

  it('runs once in CI unless told to run forever', () => {
    assert.equal(parse([], { CI: 'true' }).once, true);
    const forever = parse(['--forever'], { CI: 'true' });
    assert.equal(forever.once, false);
    assert.equal(forever.forever, true);
  });

  it('-s/--smart watches on, in CI too, and cannot be used with --once', () => {
    for (const env of [{}, { CI: 'true' }]) {
      const smart = parse(['-s'], env);
      assert.deepEqual([smart.smart, smart.forever, smart.once], [true, true, false]);
    }
    assert.equal(parse([]).smart, false);
    rejects(['--once', '--smart'], /--once and --smart cannot be used together/);
  });

  it('resolves --cwd and a relative --import against the working folder, and keeps package names', () => {
    assert.equal(parse(['--cwd', 'packages/a']).cwd, path.join(CWD, 'packages/a'));
    assert.equal(parse(['--cwd', 'packages/a', '--import', './loader.mjs']).importModule, path.join(CWD, 'packages/a/loader.mjs'));
    assert.equal(parse(['--import', 'tsx']).importModule, 'tsx');
  });

  it('ignores an empty --grep', () => {
    assert.equal(parse(['-g', '']).grep, undefined);
  });

  it('rejects jobs and timeouts that are not integers in range, naming the flag and value', () => {
    rejects(['-j', '0'], /^--jobs must be an integer of at least 1, but got "0"\.$/);
    rejects(['--jobs', '1.5'], /^--jobs must be an integer of at least 1, but got "1\.5"\.$/);
    rejects(['--jobs', 'many'], /--jobs .* "many"/);
    rejects(['--timeout=-1'], /^--timeout must be an integer of at least 0, but got "-1"\.$/);
    rejects(['--timeout', '10s'], /--timeout .* "10s"/);
  });

  it('rejects an empty --timeout', () => {
    rejects(['--timeout='], /--timeout/);
  });

  it('rejects --once with --forever', () => {
    rejects(['--once', '--forever'], /--once and --forever cannot be used together/);
  });

  it('rejects unknown flags, pointing at --help without the parseArgs advice', () => {
    assert.throws(
      () => parse(['--bogus']),
      (error: unknown) => error instanceof ConfigError && /'--bogus'/.test(error.message) && /Run "cctrial --help"/.test(error.message) && !/To specify/.test(error.message),
    );
  });
});

describe('helpText', () => {
  it('lists every flag with its description, and the exit codes', () => {
    const text = helpText('1.2.3');
    assert.match(text, /^cctrial 1\.2\.3/);
    for (const flag of FLAGS) {
      assert.ok(text.includes(`--${flag.name}`), `--${flag.name} is in --help`);
      assert.ok(text.includes(flag.description), `the description of --${flag.name} is in --help`);
      if (flag.short) assert.ok(text.includes(`-${flag.short}, --${flag.name}`));
    }
    assert.match(text, /Exit codes: 0 .* 1 .* 2 /);
  });
});

describe('checkFolders', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const check = (argv: string[]) => checkFolders(parseOptions(argv, {}, here));

  it('accepts existing folders for --cwd and --watch, and no flags at all', () => {
    check([]);
    check(['--cwd', '.', '--watch', '..', '--watch', here]);
  });

  it('refuses a missing --cwd or --watch with a ConfigError naming the path as given and as resolved', () => {
    for (const [argv, pattern] of [
      [['--cwd', 'missing-folder'], new RegExp(`^--cwd "missing-folder" \\(resolved to ${here.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/missing-folder\\) does not exist\\.`)],
      [['--watch', '/nonexist'], /^--watch "\/nonexist" does not exist\. Give --watch an existing folder/],
      [['--watch', '.', '--watch', 'nope'], /^--watch "nope" \(resolved to .*\/nope\) does not exist\./],
    ] as const) {
      assert.throws(() => check([...argv]), (error: unknown) => error instanceof ConfigError && pattern.test(error.message));
    }
  });

  it('does not touch the file system in parseOptions itself', () => {
    assert.equal(parse(['--cwd', '/nonexist', '--watch', 'x']).cwd, '/nonexist');
  });
});
