/**
 * One cause, one group, on every Node version: a linked package's built `dist` ships `.map` files,
 * and cctrial always runs with --enable-source-maps, so a failure reached through the build and one
 * reached through the sources carry the same frame. Without it, Node 22+ (type stripping, no tsx)
 * split one cause into a group per path. The dist is compiled by TypeScript itself, as a package's
 * build would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { runCli, parseEvents } from '../helpers/cli.js';
import { nodeOfMajor } from '../helpers/matrix.js';
import { linkPackage, writeWorkspace } from '../helpers/workspace.js';

const MAJORS = (process.env.CCTRIAL_CONFORMANCE_NODES ?? '20,22,24,26').split(',').map(Number);

const LIB_SOURCE = `export interface Options { strict: boolean }

export function parse(input: string, options: Options = { strict: true }): number {
  if (options.strict) throw new Error('parse is broken');
  return input.length;
}
`;

function writeFixture(): string {
  const built = ts.transpileModule(LIB_SOURCE, {
    fileName: 'index.ts',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true },
  });
  const map = { ...(JSON.parse(built.sourceMapText!) as object), file: 'index.js', sources: ['../src/index.ts'] };
  const root = writeWorkspace({
    'package.json': JSON.stringify({ name: 'maps-root', private: true, workspaces: ['packages/*'] }),
    'packages/lib/package.json': JSON.stringify({ name: '@maps/lib', type: 'module', exports: './dist/index.js' }),
    'packages/lib/src/index.ts': LIB_SOURCE,
    'packages/lib/dist/index.js': built.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '//# sourceMappingURL=index.js.map'),
    'packages/lib/dist/index.js.map': JSON.stringify(map),
    // Through the build: the package's exports point at dist.
    'packages/app/package.json': JSON.stringify({ name: '@maps/app', type: 'module', scripts: { test: 'node --test' } }),
    'packages/app/test/app.test.js': `import { test } from 'node:test';
import { parse } from '@maps/lib';
for (const input of ['a', 'b', 'c']) test(\`parses \${input}\`, () => parse(input));
`,
    // Through the sources, as a package's own tests do.
    'packages/lib/test/parse.test.ts': `import { test } from 'node:test';
import { parse } from '../src/index.ts';
test('parses', () => parse('x'));
`,
  });
  linkPackage(root, '.', '@maps/lib', 'packages/lib');
  return root;
}

describe('a linked package built with source maps', () => {
  for (const major of MAJORS) {
    it(`gives one group for one cause on Node ${major}, at the source line`, async () => {
      const node = major === Number(process.versions.node.split('.')[0]) ? process.execPath : await nodeOfMajor(major);
      const root = writeFixture();
      const result = await runCli(['--once', '--json', '--no-notify'], { cwd: root, node, timeoutMs: 120_000 });
      const events = parseEvents(result.stdout);
      const groups = events.flatMap((event) => (event.type === 'groups' ? [event.groups] : [])).at(-1) ?? [];
      const summary = groups.map((group) => `${group.count} × ${group.signature}`);
      assert.deepEqual(summary, ['4 × Error: parse is broken @ packages/lib/src/index.ts:4:29'], result.stderr);
    });
  }
});
