/**
 * `node dist/src/make-fixture.js <npm|integrated|pnpm-turbo> <folder>`: writes one of the e2e
 * fixtures into <folder> and installs the packed tarballs into it, to try the plugin by hand
 * (run `node dist/src/pack.js` first). A pnpm-turbo fixture also gets <folder>-tools.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFiles, type FileTree } from './fixture.js';
import { nxIntegratedWorkspace, npmWorkspace, pnpmTurborepo } from './fixtures.js';
import { npmInstallPacked, pnpmInstallPacked } from './install.js';

const KINDS: Record<string, { files: () => FileTree; install: (root: string) => Promise<void> }> = {
  npm: { files: npmWorkspace, install: npmInstallPacked },
  integrated: { files: nxIntegratedWorkspace, install: npmInstallPacked },
  'pnpm-turbo': {
    files: pnpmTurborepo,
    install: (root) => {
      const tools = `${root}-tools`;
      mkdirSync(tools, { recursive: true });
      writeFileSync(path.join(tools, 'package.json'), '{ "name": "tools", "private": true }\n');
      return pnpmInstallPacked(root, tools);
    },
  },
};

const [kind, folder] = process.argv.slice(2);
const chosen = kind ? KINDS[kind] : undefined;
if (!chosen || !folder) {
  process.stderr.write(`usage: node dist/src/make-fixture.js <${Object.keys(KINDS).join('|')}> <folder>\n`);
  process.exit(2);
}
const root = path.resolve(folder);
mkdirSync(root, { recursive: true });
if (readdirSync(root).length > 0) {
  process.stderr.write(`${root} is not empty.\n`);
  process.exit(2);
}
writeFiles(root, chosen.files());
await chosen.install(root);
process.stdout.write(`fixture ${kind} ready in ${root}\n`);
