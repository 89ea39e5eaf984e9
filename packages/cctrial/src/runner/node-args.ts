/** The Node command line of a test child: loader, reporter, timeout, then the test file. */
import { fileURLToPath } from 'node:url';

const TYPESCRIPT_FILE = /\.[cm]?ts$/;

export const CHILD_ENTRY = fileURLToPath(new URL('../child/entry.js', import.meta.url));
export const CHILD_REPORTER = new URL('../child/reporter.js', import.meta.url).href;

export interface LoaderChoice {
  /** A module given to --import, or undefined for none. */
  importModule?: string;
  enableSourceMaps: boolean;
}

export function hasNativeTypeStripping(): boolean {
  // process.features.typescript is 'strip' or 'transform' where Node runs .ts files as they are (22.18+, 23.6+).
  return typeof (process.features as { typescript?: unknown }).typescript === 'string';
}

/**
 * Which loader a test file needs: the user's --import wins; TypeScript files use Node's type
 * stripping where it exists, and tsx otherwise. Source maps stay on with any transpiler, because
 * tests are identified by line and column.
 */
export function chooseLoader(testFile: string, userImport: string | undefined, nativeTypeStripping: boolean): LoaderChoice {
  if (userImport) return { importModule: userImport, enableSourceMaps: true };
  if (TYPESCRIPT_FILE.test(testFile) && !nativeTypeStripping) {
    return { importModule: import.meta.resolve('tsx'), enableSourceMaps: true };
  }
  return { enableSourceMaps: false };
}

export function childArgs(loader: LoaderChoice, timeoutMs: number, selection: string[], conditions: string[] = []): string[] {
  const args: string[] = conditions.map((condition) => `--conditions=${condition}`);
  if (loader.enableSourceMaps) args.push('--enable-source-maps');
  if (loader.importModule) args.push('--import', loader.importModule);
  args.push(`--test-reporter=${CHILD_REPORTER}`, '--test-reporter-destination=stdout');
  if (timeoutMs > 0) args.push(`--test-timeout=${timeoutMs}`);
  args.push(...selection, CHILD_ENTRY);
  return args;
}
