/** This package's version and issue tracker, from its package.json. */
import { readFileSync } from 'node:fs';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bugs?: string | { url?: string } };

export const VERSION = PACKAGE.version;
export const REPORT_TO = (typeof PACKAGE.bugs === 'string' ? PACKAGE.bugs : PACKAGE.bugs?.url) ?? "cctrial's issue tracker";
