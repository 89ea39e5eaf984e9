/**
 * `nx add @cctrial/nx` / `nx g @cctrial/nx:init`: registers the plugin in nx.json, so that every
 * project with node:test tests gets the inferred cctrial targets. Idempotent, and it leaves
 * targetDefaults alone: the targets carry their `cache` setting themselves.
 */
import {
  addDependenciesToPackageJson,
  createProjectGraphAsync,
  formatFiles,
  getProjects,
  logger,
  readNxJson,
  runTasksInSerial,
  writeJson,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { DEFAULT_CI_TARGET_NAME, DEFAULT_TARGET_NAME, PLUGIN_NAME } from '../../names';
import { createNodes, type CctrialPluginOptions } from '../../plugin/create-nodes';
import { PACKAGE_VERSION } from '../../version';
import { addPlugin } from './add-plugin';

export interface InitGeneratorOptions {
  targetName?: string;
  ciTargetName?: string;
  skipPackageJson?: boolean;
  skipFormat?: boolean;
}

/** The names tried in turn when a project already has a target of that name (a `cctrial` script, say). */
const TARGET_NAMES = [DEFAULT_TARGET_NAME, 'cctrial:watch', 'cctrial-watch'];
const CI_TARGET_NAMES = [DEFAULT_CI_TARGET_NAME, 'cctrial:ci'];

export async function initGenerator(tree: Tree, options: InitGeneratorOptions = {}): Promise<GeneratorCallback> {
  // A package-based repo (Turborepo, plain workspaces) may have no nx.json yet; addPlugin needs one.
  if (!readNxJson(tree)) writeJson(tree, 'nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json' });
  if (!isRegistered(tree)) {
    await addPlugin<CctrialPluginOptions>(
      tree,
      await createProjectGraphAsync(),
      PLUGIN_NAME,
      createNodes,
      {
        targetName: options.targetName ? [options.targetName] : TARGET_NAMES,
        ciTargetName: options.ciTargetName ? [options.ciTargetName] : CI_TARGET_NAMES,
      },
      false,
    );
    reportRenamedTargets(tree);
  } else {
    warnShadowingScripts(tree);
  }
  const tasks: GeneratorCallback[] = [];
  if (!options.skipPackageJson) {
    // keepExistingVersions: a user's own spec (a range, a file: tarball) stays as it is.
    tasks.push(addDependenciesToPackageJson(tree, {}, { [PLUGIN_NAME]: PACKAGE_VERSION }, undefined, true));
  }
  if (!options.skipFormat) await formatFiles(tree);
  return runTasksInSerial(...tasks);
}

/** Registered already, in either form, with or without include/exclude. */
function isRegistered(tree: Tree): boolean {
  return (readNxJson(tree)?.plugins ?? []).some((plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME);
}

/** Says so when a name was taken, since `nx run app:cctrial` would then run something else. */
function reportRenamedTargets(tree: Tree): void {
  const entry = readNxJson(tree)?.plugins?.find((plugin) => typeof plugin !== 'string' && plugin.plugin === PLUGIN_NAME);
  const chosen = (typeof entry === 'object' ? entry.options : undefined) as CctrialPluginOptions | undefined;
  const renamed = [
    [DEFAULT_TARGET_NAME, chosen?.targetName],
    [DEFAULT_CI_TARGET_NAME, chosen?.ciTargetName],
  ].filter(([usual, name]) => name !== undefined && name !== usual);
  for (const [usual, name] of renamed) {
    logger.info(
      `@cctrial/nx: the inferred target is "${String(name)}", because a project already has a "${usual}" target ` +
        `(a package.json script, say). To have "${usual}", remove that target and set the name in the @cctrial/nx entry of nx.json "plugins".`,
    );
  }
}

/**
 * Registered before the scripts came (`cctrial init` adds them for Turborepo): Nx makes a target of
 * every script, after the plugins of nx.json, so the script replaces the inferred target.
 */
function warnShadowingScripts(tree: Tree): void {
  const entry = readNxJson(tree)?.plugins?.find((plugin) => typeof plugin !== 'string' && plugin.plugin === PLUGIN_NAME);
  const targetName = (typeof entry === 'object' ? (entry.options as CctrialPluginOptions | undefined)?.targetName : undefined) ?? DEFAULT_TARGET_NAME;
  const shadowing = projectsWithScript(tree, targetName);
  if (shadowing.length === 0) return;
  logger.warn(
    `@cctrial/nx: ${shadowing.join(', ')} ${shadowing.length === 1 ? 'has' : 'have'} a "${targetName}" script in package.json ` +
      `(cctrial init adds one for Turborepo). Nx makes a target of every script, and it wins over the inferred one, so ` +
      `"nx run <project>:${targetName}" would run the script, without the project graph. Remove those scripts, or give ` +
      `the inferred target another name with "targetName" in the @cctrial/nx entry of nx.json "plugins".`,
  );
}

/** Projects whose package.json has a script named `targetName`. */
function projectsWithScript(tree: Tree, targetName: string): string[] {
  const names: string[] = [];
  for (const [name, project] of getProjects(tree)) {
    const manifest = `${project.root}/package.json`;
    if (!tree.exists(manifest)) continue;
    const scripts = (JSON.parse(tree.read(manifest, 'utf-8') ?? '{}') as { scripts?: Record<string, string> }).scripts;
    if (scripts?.[targetName] !== undefined) names.push(name);
  }
  return names.sort();
}

export default initGenerator;
