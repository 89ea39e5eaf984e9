/** Where the cctrial CLI is: the `bin` of the cctrial package that @cctrial/nx depends on. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * cctrial's `exports` hides its package.json, so resolve its entry point and walk up to the
 * manifest. Resolved from this file first (our own dependency), then from the workspace root.
 */
export function resolveCctrialBin(workspaceRoot: string): string {
  let entry: string;
  try {
    entry = require.resolve('cctrial', { paths: [__dirname, workspaceRoot] });
  } catch (error) {
    throw new Error(
      `@cctrial/nx cannot find the cctrial package (${(error as Error).message.split('\n')[0]}). ` +
        'It is a dependency of @cctrial/nx: reinstall it, e.g. "npm install -D @cctrial/nx cctrial".',
    );
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifestFile = path.join(dir, 'package.json');
    if (!existsSync(manifestFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { name?: string; bin?: string | Record<string, string> };
    if (manifest.name !== 'cctrial') continue;
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.cctrial;
    if (!bin) break;
    return path.join(dir, bin);
  }
  throw new Error(`@cctrial/nx found cctrial at ${entry}, but not its package.json with a "cctrial" bin. Reinstall cctrial.`);
}
