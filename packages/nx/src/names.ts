/** The names other tools see: the package, its executor, and the target it adds. */
export const PLUGIN_NAME = '@cctrial/nx';
export const EXECUTOR = `${PLUGIN_NAME}:cctrial`;
export const DEFAULT_TARGET_NAME = 'cctrial';
export const DEFAULT_CI_TARGET_NAME = 'cctrial-ci';
