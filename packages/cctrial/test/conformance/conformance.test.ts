/**
 * Conformance: for every fixture of the corpus, each project's own test command (`npm test` in its
 * folder, as a user runs it) and `cctrial --once --json` must give the same verdict for every test.
 * The reference side records its tests with a reporter passed through NODE_OPTIONS, so the
 * command itself runs as written. cctrial runs each fixture twice: as it is, and with
 * `--isolation none -j 1` (each project's files sharing one process). On Node 20, 22, 24 and 26 (official binaries from the npm registry,
 * tools/node-versions.mjs); CCTRIAL_CONFORMANCE_NODES=24 runs one.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { CLI, parseEvents } from '../helpers/cli.js';
import { nodeOfMajor, REPO_ROOT } from '../helpers/matrix.js';
import { writeWorkspace } from '../helpers/workspace.js';
import { cctrialVerdicts, referenceVerdicts } from './compare.js';
import { CORPUS, type Fixture } from './corpus.js';

const run = promisify(execFile);
const RECORDER = fileURLToPath(new URL('./recorder.js', import.meta.url));
const MAJORS = (process.env.CCTRIAL_CONFORMANCE_NODES ?? '20,22,24,26').split(',').map(Number);
const COMMAND_TIMEOUT_MS = 120_000;

for (const major of MAJORS) {
  describe(`conformance on Node ${major}`, { concurrency: 2 }, () => {
    for (const fixture of CORPUS) {
      const skip = fixture.minNode && major < fixture.minNode ? `needs Node ${fixture.minNode}` : false;
      it(fixture.name, { skip }, async () => {
        const node = major === Number(process.versions.node.split('.')[0]) ? process.execPath : await nodeOfMajor(major);
        const root = layOut(fixture);
        const reference = (await ownCommands(fixture, root, node)).sort();
        // Shared processes re-run alone whatever fails in them: they must give the very same verdicts.
        // With one worker, all of a project's files share one process.
        for (const isolation of ['process', 'none']) {
          const args = [CLI, '--once', '--json', '--no-notify', ...(isolation === 'none' ? ['--isolation', 'none', '-j', '1'] : [])];
          const { stdout } = await run(node, args, { cwd: root, env: childEnv(node), timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 << 20 }).catch(
            (error: { stdout?: string; stderr?: string }) => {
              if (error.stdout === undefined) throw error;
              return { stdout: error.stdout };
            },
          );
          assert.deepEqual(cctrialVerdicts(parseEvents(stdout), root).sort(), reference, `cctrial --isolation ${isolation} and the projects' own test commands disagree (fixture in ${root})`);
        }
      });
    }
  });
}

/** Writes the fixture; `-> target` entries become symlinks, and `links` come from cctrial's own node_modules. */
function layOut(fixture: Fixture): string {
  const links = Object.entries(fixture.files).filter(([, content]) => content.startsWith('-> '));
  const root = writeWorkspace(Object.fromEntries(Object.entries(fixture.files).filter(([, content]) => !content.startsWith('-> '))), 'cctrial-conformance-');
  for (const [file, content] of links) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    symlinkSync(content.slice(3), path.join(root, file));
  }
  for (const name of fixture.links ?? []) {
    const target = path.join(REPO_ROOT, 'node_modules', name);
    mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(target, path.join(root, 'node_modules', name));
    const bin = (JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> }).bin;
    const bins = typeof bin === 'string' ? { [name]: bin } : (bin ?? {});
    for (const [command, file] of Object.entries(bins)) symlinkSync(path.join(target, file), path.join(root, 'node_modules', '.bin', command));
  }
  return root;
}

/** Runs each project's own command with the recorder attached, and returns its verdicts. */
async function ownCommands(fixture: Fixture, root: string, node: string): Promise<string[]> {
  const commands = fixture.commands ?? packagesWithTestScripts(fixture);
  const verdicts: string[] = [];
  for (const [index, { dir, command }] of commands.entries()) {
    const record = path.join(root, `.reference-${index}.ndjson`);
    const env = { ...childEnv(node), NODE_OPTIONS: `--test-reporter=${RECORDER} --test-reporter-destination=${record}` };
    const [file, args] = command ? ['sh', ['-c', command]] : ['npm', ['test', '--silent']];
    await run(file, args, { cwd: path.join(root, dir), env, timeout: COMMAND_TIMEOUT_MS }).catch((error: { code?: unknown }) => {
      if (typeof error.code !== 'number') throw error; // A failing test command exits non-zero: that is a verdict, not an error.
    });
    if (existsSync(record)) {
      verdicts.push(...referenceVerdicts(record, root));
      unlinkSync(record);
    }
  }
  return verdicts;
}

function packagesWithTestScripts(fixture: Fixture): Array<{ dir: string; command?: string }> {
  return Object.entries(fixture.files)
    .filter(([file, content]) => path.basename(file) === 'package.json' && (JSON.parse(content) as { scripts?: { test?: string } }).scripts?.test)
    .map(([file]) => ({ dir: path.dirname(file) }));
}

/** The Node under test first on PATH, so that the scripts' `node` and npm itself are that Node. */
function childEnv(node: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

