/**
 * `node dist/src/pack.js`: packs cctrial and @cctrial/nx as npm would publish them, into
 * e2e/.cache/tarballs, before the e2e tests install them into fixture workspaces.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKED, REPO_ROOT, TARBALL_DIR } from './paths.js';

rmSync(TARBALL_DIR, { recursive: true, force: true });
mkdirSync(TARBALL_DIR, { recursive: true });
const workspaces = Object.values(PACKED).flatMap((folder) => ['--workspace', folder]);
const output = execFileSync('npm', ['pack', ...workspaces, '--pack-destination', TARBALL_DIR, '--json', '--silent'], { cwd: REPO_ROOT, encoding: 'utf8' });
const packed = JSON.parse(output) as Array<{ name: string; filename: string; entryCount: number }>;
const index = Object.fromEntries(packed.map((entry) => [entry.name, path.join(TARBALL_DIR, entry.filename)]));
writeFileSync(path.join(TARBALL_DIR, 'index.json'), JSON.stringify(index, null, 2) + '\n');
for (const entry of packed) process.stdout.write(`packed ${entry.name}: ${entry.filename} (${entry.entryCount} files)\n`);
