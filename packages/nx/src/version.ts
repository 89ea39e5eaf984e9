/** This package's version, for the devDependency that init writes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
