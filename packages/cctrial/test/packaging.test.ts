/** What the registry gets: each package's tarball, as `npm pack` makes it, with its README, LICENSE and links. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REPOSITORY = 'https://github.com/cctrial/cctrial';

interface PackResult {
  files: Array<{ path: string }>;
}

/** The tarball's files and its README, read from the tarball npm would publish (prepack and postpack run). */
function pack(packageFolder: string): { files: string[]; readme: string } {
  const [result] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: packageFolder, encoding: 'utf8' })) as PackResult[];
  const files = result!.files.map((file) => file.path);
  // --dry-run writes no tarball, so read the README the way prepack makes it.
  const readme = execFileSync(process.execPath, ['--input-type=module', '-e', `import { packFiles } from ${JSON.stringify(path.join(REPO_ROOT, 'tools/pack-files.mjs'))}; process.stdout.write(packFiles(process.cwd())['README.md'] ?? '')`], { cwd: packageFolder, encoding: 'utf8' }) || readFileSync(path.join(packageFolder, 'README.md'), 'utf8');
  return { files, readme };
}

describe('packaging', () => {
  for (const name of ['cctrial', 'nx']) {
    const folder = path.join(REPO_ROOT, 'packages', name);
    test(`packages/${name} ships a README and the LICENSE, links that work off GitHub, and where it comes from`, () => {
      const { files, readme } = pack(folder);
      for (const file of ['README.md', 'LICENSE', 'package.json']) assert.ok(files.includes(file), `${file} in ${files.join(', ')}`);
      // postpack took the copies away again: the work tree stays clean.
      assert.equal(existsSync(path.join(folder, 'LICENSE')), false);
      const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
      assert.ok(targets.length > 0);
      for (const target of targets) {
        if (target.startsWith('#')) continue;
        assert.match(target, /^https?:\/\//, `a relative link leads nowhere on the registry's page: ${target}`);
        const inRepo = /^https:\/\/github\.com\/cctrial\/cctrial\/(?:blob|raw|tree)\/main\/([^#]+)/.exec(target);
        if (inRepo) assert.ok(existsSync(path.join(REPO_ROOT, inRepo[1]!)), `${target}: no ${inRepo[1]} in the repository`);
      }
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as Record<string, any>;
      assert.equal(manifest.license, 'MIT');
      assert.equal(manifest.repository.url, `git+${REPOSITORY}.git`);
      assert.equal(manifest.repository.directory, `packages/${name}`);
      assert.ok(manifest.homepage.startsWith(REPOSITORY));
      assert.equal(manifest.bugs.url, `${REPOSITORY}/issues`);
    });
  }

  test('@cctrial/nx depends on a range of cctrial that includes its version, not a pinned one', () => {
    const nx = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/nx/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const cctrial = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/cctrial/package.json'), 'utf8')) as { version: string };
    assert.equal(nx.dependencies.cctrial, `^${cctrial.version}`);
  });
});
