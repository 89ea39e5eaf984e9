/** Errors that are the user's to fix: the CLI prints their message alone and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
