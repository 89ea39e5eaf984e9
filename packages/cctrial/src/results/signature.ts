/**
 * A failure's signature says "same root cause": the error type, the message with volatile parts
 * normalised, and the throw site. Normalisation is deliberately narrow, because two different errors
 * must never merge: only values that differ between runs of the very same failure are replaced.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import { CUT_MARKER } from '../child/serialize-error.js';
import type { SerializedError } from './types.js';
import path from 'node:path';
import { parseStackFrames, throwSite, toPosix } from './stack.js';

const VOLATILE_PATTERNS: Array<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, '<date>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b0x[0-9a-f]{6,}\b/gi, '<address>'],
  // Ids such as hashes and object ids: 12 or more hex digits, with both letters and digits (so no word, no plain number).
  [/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<hex>'],
  // Date.now(): 13 digits from 2001 to 2033.
  [/\b1\d{12}\b/g, '<timestamp>'],
  // A port on the local machine is picked anew each run (listen(0)); a remote host and its port are kept.
  [/(\blocalhost|\b127\.0\.0\.1|\b0\.0\.0\.0|\[::1?\]):\d{1,5}\b/g, '$1:<port>'],
];

/**
 * The temporary folders, as given and as real paths (macOS links /var to /private/var): a folder
 * directly under one, with a path inside it, is made anew each run (mkdtemp), so it stands for any.
 * A file directly under it (`/tmp/app.sock`) is named on purpose, and kept.
 */
const TEMP_FOLDERS = [...new Set([os.tmpdir(), realTempFolder()])].map((folder) => new RegExp(`${escapeRegExp(folder)}/[^/\\s'"\`)]+(?=/)`, 'g'));

function realTempFolder(): string {
  try {
    return realpathSync(os.tmpdir());
  } catch {
    return os.tmpdir();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Node names the importing file in module errors; the same missing or broken module is one cause, whoever
 * imports it. The importer's path runs to the end of its line ("imported from") or of its sentence
 * ("while importing … from …. Unexpected token"): it may hold spaces.
 */
const IMPORTER_SUFFIX = / imported from [^\n]+| while importing .+?(?=\.\s|\n|$)/g;

/**
 * A message reaches the parent cut to ERROR_LIMITS.messageBytes (64 KiB). Two messages equal in that much
 * group together even when they differ after it, deliberately: so long a common head is the same failure
 * (a dump of the same state), and a hash of the full text would split failures that normalisation merges,
 * such as dumps holding dates or uuids past the cut. The marker says how much went, which differs
 * with the length, so it is no part of the signature.
 */
export function normaliseMessage(message: string, root: string): string {
  let text = message.replace(CUT_MARKER, '…').split(root + '/').join('').replace(IMPORTER_SUFFIX, '');
  for (const folder of TEMP_FOLDERS) text = text.replace(folder, '<tmp>');
  for (const [pattern, replacement] of VOLATILE_PATTERNS) text = text.replace(pattern, replacement);
  return text.trim();
}

/** Node 20 reports a broken package.json as a bare SyntaxError; later versions give it ERR_INVALID_PACKAGE_CONFIG. */
const BROKEN_PACKAGE_JSON = /^Error parsing \S*package\.json: /;

/** The serialised chain is already cut short (serialize-error.ts); this bound only guards the loop. */
const MAX_CAUSES = 32;

/**
 * A wrapper (`new ParseError('…', { cause })`) is grouped by what it wraps: the innermost cause thrown
 * from the user's code, so that the tests that hit the same bug directly and through a wrapper form
 * one group. A cause thrown only inside Node or a dependency says less than the wrapper, which stays.
 */
export function errorSignature(error: SerializedError | undefined, root: string, fallbackSite: string): string {
  if (!error) return `unknown error @ ${fallbackSite}`;
  let innermost: SerializedError | undefined;
  let cause = error.cause;
  for (let depth = 0; cause && depth < MAX_CAUSES; depth++, cause = cause.cause) if (throwSite(cause.stack, root)) innermost = cause;
  return ownSignature(innermost ?? error, root, fallbackSite);
}

function ownSignature(error: SerializedError, root: string, fallbackSite: string): string {
  // A module-loading error of Node's own (ERR_MODULE_NOT_FOUND, ERR_INVALID_PACKAGE_CONFIG...) has no user frame:
  // its code says more about the cause than the location of each test file that hit it.
  const code = error.code ?? (BROKEN_PACKAGE_JSON.test(error.message) ? 'ERR_INVALID_PACKAGE_CONFIG' : undefined);
  const site = throwSite(error.stack, root) ?? (code?.startsWith('ERR_') ? code : (dependencySite(error.stack) ?? fallbackSite));
  // One assertion failing with other values in each test (a table of cases, a shared helper) is one
  // cause: its message is node:assert's account of the values, so the assertion and its site say it.
  // Most such messages open with a line that names no value ("Expected values to be strictly equal:").
  if (error.generatedMessage && error.operator) {
    const head = error.message.split('\n', 1)[0]!;
    return `${error.type}: ${head.endsWith(':') ? head : `(${error.operator})`} @ ${site}`;
  }
  return `${error.type}: ${normaliseMessage(error.message, root)} @ ${site}`;
}

/**
 * Where a dependency threw, when no user frame says more: `@swc-node/register/esm.mts:214:11`, from
 * the last node_modules/ on, so that every test file a loader fails in the same way is one group,
 * whichever package manager laid the dependency out.
 */
function dependencySite(stack: string | undefined): string | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const frame = parseStackFrames(stack).find((candidate) => candidate.file.includes(marker));
  if (!frame) return undefined;
  return `${toPosix(frame.file.slice(frame.file.lastIndexOf(marker) + marker.length))}:${frame.line}:${frame.column}`;
}
