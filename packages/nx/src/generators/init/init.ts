/**
 * `nx add @cctrial/nx` / `nx g @cctrial/nx:init`: registers the plugin in nx.json, so that every
 * project with node:test tests gets an inferred cctrial target. Idempotent, and it leaves
 * targetDefaults alone: the target carries `cache: false` itself.
 */
import {
  addDependenciesToPackageJson,
  formatFiles,
  readNxJson,
  runTasksInSerial,
  updateNxJson,
  writeJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { DEFAULT_TARGET_NAME, PLUGIN_NAME } from '../../names';
import { PACKAGE_VERSION } from '../../version';

export interface InitGeneratorOptions {
  targetName?: string;
  skipPackageJson?: boolean;
  skipFormat?: boolean;
}

export async function initGenerator(tree: Tree, options: InitGeneratorOptions = {}): Promise<GeneratorCallback> {
  registerPlugin(tree, options.targetName ?? DEFAULT_TARGET_NAME);
  const tasks: GeneratorCallback[] = [];
  if (!options.skipPackageJson) {
    // keepExistingVersions: a user's own spec (a range, a file: tarball) stays as it is.
    tasks.push(addDependenciesToPackageJson(tree, {}, { [PLUGIN_NAME]: PACKAGE_VERSION }, undefined, true));
  }
  if (!options.skipFormat) await formatFiles(tree);
  return runTasksInSerial(...tasks);
}

/** Adds `{plugin, options}` to nx.json `plugins` unless the plugin is there already, in either form. */
function registerPlugin(tree: Tree, targetName: string): void {
  const entry = { plugin: PLUGIN_NAME, options: { targetName } };
  const nxJson = readNxJson(tree);
  // A package-based repo (Turborepo, plain workspaces) may have no nx.json yet; updateNxJson would do nothing.
  if (!nxJson) return writeJson(tree, 'nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', plugins: [entry] });
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME)) return;
  updateNxJson(tree, { ...nxJson, plugins: [...plugins, entry] });
}

export default initGenerator;
