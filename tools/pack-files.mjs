#!/usr/bin/env node
/**
 * The files a package ships that live at the repository's root: run by each package's `prepack`
 * (`node ../../tools/pack-files.mjs`), undone by `postpack` (`... --clean`). Copies LICENSE, and for the
 * cctrial package the root README with its relative links made absolute: on the registry's page a
 * relative link leads nowhere.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = 'https://github.com/cctrial/cctrial';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `[text](docs/x.md)` → the file on GitHub; `![alt](docs/x.png)` → its raw bytes; `#anchors` and URLs stay. */
export function absoluteLinks(markdown, fromFolder = '') {
  return markdown.replace(/(!?)\]\((?!https?:|#|mailto:)([^)\s]+)\)/g, (_, image, target) => {
    const file = path.posix.normalize(path.posix.join(fromFolder, target));
    return `${image}](${image ? `${REPOSITORY}/raw/main/${file}` : `${REPOSITORY}/blob/main/${file}`})`;
  });
}

/** What `prepack` writes into the package folder: file name → contents. */
export function packFiles(packageFolder) {
  const files = { LICENSE: readFileSync(path.join(root, 'LICENSE'), 'utf8') };
  // The cctrial package's README is the repository's; other packages keep their own.
  if (path.basename(packageFolder) === 'cctrial') {
    files['README.md'] = absoluteLinks(readFileSync(path.join(root, 'README.md'), 'utf8'));
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const packageFolder = process.cwd();
  const names = Object.keys(packFiles(packageFolder));
  if (process.argv.includes('--clean')) for (const name of names) rmSync(path.join(packageFolder, name), { force: true });
  else for (const [name, text] of Object.entries(packFiles(packageFolder))) writeFileSync(path.join(packageFolder, name), text);
}
