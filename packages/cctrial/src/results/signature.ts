/**
 * A failure's signature says "same root cause": the error type, the message with volatile parts
 * normalised, and the throw site. Normalisation is deliberately narrow, because two different errors
 * must never merge: only values that differ between runs of the very same failure are replaced.
 */
import { CUT_MARKER } from '../child/serialize-error.js';
import type { SerializedError } from './types.js';
import { throwSite } from './stack.js';

const VOLATILE_PATTERNS: Array<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, '<date>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b0x[0-9a-f]{6,}\b/gi, '<address>'],
];

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
  for (const [pattern, replacement] of VOLATILE_PATTERNS) text = text.replace(pattern, replacement);
  return text.trim();
}

/** Node 20 reports a broken package.json as a bare SyntaxError; later versions give it ERR_INVALID_PACKAGE_CONFIG. */
const BROKEN_PACKAGE_JSON = /^Error parsing \S*package\.json: /;

export function errorSignature(error: SerializedError | undefined, root: string, fallbackSite: string): string {
  if (!error) return `unknown error @ ${fallbackSite}`;
  // A module-loading error of Node's own (ERR_MODULE_NOT_FOUND, ERR_INVALID_PACKAGE_CONFIG...) has no user frame:
  // its code says more about the cause than the location of each test file that hit it.
  const code = error.code ?? (BROKEN_PACKAGE_JSON.test(error.message) ? 'ERR_INVALID_PACKAGE_CONFIG' : undefined);
  const site = throwSite(error.stack, root) ?? (code?.startsWith('ERR_') ? code : fallbackSite);
  return `${error.type}: ${normaliseMessage(error.message, root)} @ ${site}`;
}
