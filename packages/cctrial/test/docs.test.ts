import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { flagsTable, withFlagsTable } from '../src/docs.js';
import { FLAGS } from '../src/options.js';
import { spawnInPty } from './helpers/pty.js';
import { writeWorkspace } from './helpers/workspace.js';

const README = new URL('../../../../README.md', import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

test('the README flag table is the one generated from the flag table (run `npm run docs` after changing a flag)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(withFlagsTable(readme), readme);
});

test('the generated table has one row per flag, with its short form and value', () => {
  const table = flagsTable();
  assert.equal(table.split('\n').length, FLAGS.length + 2);
  assert.match(table, /^\| `-j`, `--jobs N` \| /m);
  assert.match(table, /^\| `--debug-timing` \| /m);
});

test("the README's set-up commands ask nothing on a terminal: this repository's nx.json keeps nx from asking about analytics", async () => {
  const nxJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'nx.json'), 'utf8')) as Record<string, unknown>;
  // nx asks on a terminal when nx.json has no "analytics" key (the control), and so would `npm start` on a fresh clone.
  for (const [config, prompts] of [[nxJson, false], [{ ...nxJson, analytics: undefined }, true]] as const) {
    const root = writeWorkspace({ 'nx.json': JSON.stringify(config), 'package.json': JSON.stringify({ name: 'nx-prompt-probe', private: true }) });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    const nx = spawnInPty(process.execPath, [path.join(REPO_ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      env: { GITHUB_ACTIONS: undefined, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    try {
      if (prompts) {
        await nx.waitForScreen(/Share usage data with the Nx team\?/, { timeoutMs: 60_000, what: "nx's analytics question (the control)" });
      } else {
        const timeout = setTimeout(() => void nx.stop(), 60_000);
        const code = await nx.exited;
        clearTimeout(timeout);
        assert.equal(code, 0, `nx did not finish by itself on a terminal:\n${nx.screen()}`);
        assert.doesNotMatch(nx.transcript(), /usage data|analytics/i);
      }
    } finally {
      await nx.stop();
    }
  }
});

test("the README's VS Code problem matcher finds the fix target's two places in the fix view cctrial prints", () => {
  const readme = readFileSync(README, 'utf8');
  const block = /```json\n(\{\n  "version": "2\.0\.0",[\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(block, 'the tasks.json block');
  const matcher = (JSON.parse(block) as { tasks: Array<{ problemMatcher: { pattern: { regexp: string }; background: { beginsPattern: string; endsPattern: string } } }> }).tasks[0]!.problemMatcher;
  // docs/screens/fix-view.txt is the fix view as a terminal test renders it (CCTRIAL_WRITE_SCREENS=1).
  const screen = readFileSync(path.join(REPO_ROOT, 'docs/screens/fix-view.txt'), 'utf8').split('\n');
  const found = screen.flatMap((line) => {
    const match = new RegExp(matcher.pattern.regexp).exec(line);
    return match ? [match.slice(1, 5)] : [];
  });
  assert.deepEqual(found, [
    ['packages/shop/test/cart.test.js', '5', '46', 'error'],
    ['packages/prices/index.js', '3', '55', 'info'],
  ]);
  assert.ok(screen.some((line) => new RegExp(matcher.background.beginsPattern).test(line)));
  assert.ok(screen.some((line) => new RegExp(matcher.background.endsPattern).test(line)));
});
