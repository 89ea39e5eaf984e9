/**
 * `nx add @cctrial/nx` / `nx g @cctrial/nx:init`: registers the plugin in nx.json, so that every
 * project with node:test tests gets an inferred cctrial target. Idempotent, and it leaves
 * targetDefaults alone: the target carries `cache: false` itself.
 */
import {
  addDependenciesToPackageJson,
  formatFiles,
  getProjects,
  logger,
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
  const targetName = options.targetName ?? DEFAULT_TARGET_NAME;
  registerPlugin(tree, targetName);
  const shadowing = projectsWithScript(tree, targetName);
  if (shadowing.length > 0) {
    logger.warn(
      `@cctrial/nx: ${shadowing.join(', ')} ${shadowing.length === 1 ? 'has' : 'have'} a "${targetName}" script in package.json ` +
        `(cctrial init adds one for Turborepo). Nx makes a target of every script, and it wins over the inferred one, so ` +
        `"nx run <project>:${targetName}" would run the script, without the project graph. Remove those scripts, or give ` +
        `the inferred target another name with "targetName" in the @cctrial/nx entry of nx.json "plugins".`,
    );
  }
  const tasks: GeneratorCallback[] = [];
  if (!options.skipPackageJson) {
    // keepExistingVersions: a user's own spec (a range, a file: tarball) stays as it is.
    tasks.push(addDependenciesToPackageJson(tree, {}, { [PLUGIN_NAME]: PACKAGE_VERSION }, undefined, true));
  }
  if (!options.skipFormat) await formatFiles(tree);
  return runTasksInSerial(...tasks);
}

/**
 * Projects whose package.json has a script named like the target. Nx infers a target from each
 * script, after the plugins of nx.json, so the script's target replaces the cctrial executor.
 */
export function projectsWithScript(tree: Tree, targetName: string): string[] {
  const names: string[] = [];
  for (const [name, project] of getProjects(tree)) {
    const manifest = `${project.root}/package.json`;
    if (!tree.exists(manifest)) continue;
    const scripts = (JSON.parse(tree.read(manifest, 'utf-8') ?? '{}') as { scripts?: Record<string, string> }).scripts;
    if (scripts?.[targetName] !== undefined) names.push(name);
  }
  return names.sort();
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
