#!/usr/bin/env node
// Runs a package's compiled tests with node --test. Node 20 cannot expand globs itself,
// and 22+ does not walk directories, so the file list is made here.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fg from 'fast-glob';

// --exclude=FOLDER leaves the files under dir/FOLDER out (they get a run of their own, so as not to load the machine alongside timing-sensitive tests).
const args = process.argv.slice(2);
const excluded = args.filter((arg) => arg.startsWith('--exclude=')).map((arg) => `${arg.slice('--exclude='.length)}/**`);
const [dir = 'dist/test', ...rest] = args.filter((arg) => !arg.startsWith('--exclude='));
const files = fg.sync('**/*.test.js', { cwd: dir, absolute: true, ignore: excluded }).sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.js files under ${path.resolve(dir)}; run the build first.`);
  process.exit(1);
}
const { status, signal } = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...rest, ...files], { stdio: 'inherit' });
process.exit(status ?? (signal ? 1 : 0));
