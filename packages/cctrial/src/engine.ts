/**
 * The engine: one workspace, its selected test files, and the runner. It runs the whole selection
 * or exact tests and reports each step as events. It decides nothing: the CLI and the loop do.
 */
import type { CctrialEvent, EventSink, Phase } from './events.js';
import { discoverTestFiles, newTestFileMatcher, updateTestFiles, type TestFile } from './discovery.js';
import { ModuleGraph } from './module-graph.js';
import type { FileKnowledge } from './saved-state.js';
import { FlakyTests } from './results/flaky.js';
import { groupFailures, type FailureGroup } from './results/group.js';
import { countOutcomes, groupsEvent, resultEvent } from './results/summary.js';
import type { TestResult } from './results/types.js';
import { GlobalSetups } from './runner/global-setup.js';
import { TestRunner, type RunReport, type RunProgress } from './runner/test-runner.js';
import { runSuiteViaNx } from './runner/via-nx.js';
import type { Options } from './options.js';
import type { CliSettings, ProjectSettings } from './config/settings.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { foldersUp, isInside } from './workspace/paths.js';
import type { CodeKnowledge } from './watch/relevance.js';
import { customConditions, watchRoots } from './workspace/links.js';
import { loadWorkspaceModel, type WorkspaceModel } from './workspace/model.js';
import type { Project } from './workspace/projects.js';
import type { WorkspaceRoot } from './workspace/root.js';
import { filterByPaths, selectProjects, type Selection } from './workspace/select.js';

function cliSettings(options: Options): CliSettings {
  return {
    nodeArgs: options.nodeArgs,
    excludeProjects: options.excludeProjects,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.importModule ? { importModule: options.importModule } : {}),
    ...(options.isolation ? { isolation: options.isolation } : {}),
  };
}

/** What a suite run covers: see Engine.runSuite. */
export interface SuiteScope {
  changed?: string[];
  onlyAffected?: boolean;
  known?: TestResult[];
}

export interface RunOutcome {
  report: RunReport;
  groups: FailureGroup[];
}

export class Engine {
  private model: WorkspaceModel;
  private selected: Selection;
  private testFiles: TestFile[] = [];
  private readonly leftOutWithTests = new Set<string>();
  private readonly runner: TestRunner;
  private readonly globalSetups: GlobalSetups;
  private readonly settingsOf = (project: { root: string }) => this.settings.get(project.root);
  /** What each test file loaded, from every run: the watcher's filter for changes. */
  readonly moduleGraph = new ModuleGraph();
  /** How long each test file (workspace-relative) took in its last complete suite run: the suite starts with the longest. */
  private readonly durationsMs = new Map<string, number>();
  private readonly flaky = new FlakyTests();

  /** Reads the workspace, its configuration and its projects' test scripts. */
  static async create(options: Options, emit: EventSink): Promise<Engine> {
    return new Engine(options, emit, await loadWorkspaceModel(options.cwd, cliSettings(options)));
  }

  private constructor(
    readonly options: Options,
    private readonly emit: EventSink,
    model: WorkspaceModel,
  ) {
    this.model = model;
    this.selected = selectProjects(model.projects, options.targets, options.cwd, model.workspace.root);
    this.discover();
    const setups = this.selection.projects.flatMap((project) => this.settings.get(project.root)?.globalSetup ?? []);
    this.globalSetups = new GlobalSetups([...new Set(setups)]);
    this.runner = new TestRunner({
      root: model.workspace.root,
      jobs: options.jobs,
      settingsOf: (file) => this.settingsOf({ root: file.projectRoot })!,
      conditions: customConditions(model.workspace.root),
      updateSnapshots: options.updateSnapshots,
      ...(options.grep ? { grep: options.grep } : {}),
    });
  }

  get workspace(): WorkspaceRoot {
    return this.model.workspace;
  }

  get projects(): Project[] {
    return this.model.projects;
  }

  get selection(): Selection {
    return this.selected;
  }

  /** What each project runs, by project root. */
  get settings(): Map<string, ProjectSettings> {
    return this.model.settings;
  }

  /** The `ignore` globs of the configuration and the command line, relative to the root. */
  get ignoreGlobs(): string[] {
    return [...this.model.config.ignore, ...this.options.ignore];
  }

  /**
   * Reads the workspace again after a manifest changed: a package added, renamed or removed, a
   * test script edited. When the new state cannot be read, the old one stays and the error is told.
   */
  async reload(): Promise<void> {
    try {
      const model = await loadWorkspaceModel(this.options.cwd, cliSettings(this.options));
      this.selected = selectProjects(model.projects, this.options.targets, this.options.cwd, model.workspace.root);
      this.model = model;
    } catch (error) {
      // A manifest half-way through an edit is normal while watching: its tests report it too.
      const reason = (error as Error).message.replace(/ and run cctrial again\.$/, '.');
      this.emit({ type: 'warning', message: `The workspace could not be read again: ${reason} Until then, cctrial goes on with its projects as they were.` });
      return;
    }
    this.runner.discardPrepared();
    this.discover();
  }

  /** What the test files and their recorded module graphs say is code, for judging a change (watch/relevance.ts). */
  codeKnowledge(): CodeKnowledge {
    // Asked of every file of a batch (1,000 in a storm): sets, built once per batch, not scans.
    const testFiles = new Set(this.testFiles.map((file) => file.absolute));
    const testFolders = new Set(this.testFiles.map((file) => path.dirname(file.absolute)));
    const aboveTests = new Set([...testFolders].flatMap(foldersUp));
    const projectRoots = new Set(this.projects.map((project) => project.root));
    let wouldBeTestFile: ((file: string) => boolean) | undefined;
    return {
      // A deleted folder is known by the test files that were in it.
      isTestFile: (file) => testFiles.has(file) || aboveTests.has(file),
      isImported: (file) => this.moduleGraph.importsUnder(file),
      // A new file is code where code already is: in a folder of imports or tests, or in a new folder below
      // one. Climbing stops at the project folder: its tmp/ or out/ is no code because its index.js is.
      holdsCode: (folder) => {
        for (let dir = folder; isInside(this.workspace.root, dir); dir = path.dirname(dir)) {
          const projectFolder = projectRoots.has(dir);
          if (dir !== folder && projectFolder) return false;
          if (this.moduleGraph.holdsImport(dir) || testFolders.has(dir)) return true;
          if (projectFolder) return false;
        }
        return false;
      },
      wouldBeTestFile: (file) => (wouldBeTestFile ??= newTestFileMatcher(this.selection.projects, this.projects, this.workspace.root, this.settingsOf))(file),
      holdsProject: (folder) =>
        this.projects.some((project) => isInside(folder, project.root)) || ['package.json', 'project.json'].some((manifest) => existsSync(path.join(folder, manifest))),
    };
  }

  /** Runs the projects' global setup modules, once, before the first run. */
  setUp(): Promise<void> {
    return this.globalSetups.setUp();
  }

  /** Runs their global teardowns, after the last run. */
  tearDown(): Promise<void> {
    return this.globalSetups.tearDown();
  }

  /** The selected projects that are left out although they have test files, and why. */
  excludedProjects(): Array<{ name: string; reason: string }> {
    return this.selection.projects.flatMap((project) => {
      const settings = this.settings.get(project.root)!;
      return settings.excluded && this.leftOutWithTests.has(project.root) ? [{ name: project.name, reason: settings.excluded }] : [];
    });
  }

  get files(): readonly TestFile[] {
    return this.testFiles;
  }

  discover(): TestFile[] {
    const leftOut = (project: Project) => this.leftOutWithTests.add(project.root);
    this.leftOutWithTests.clear();
    this.testFiles = filterByPaths(discoverTestFiles(this.selection.projects, this.workspace.root, this.projects, this.settingsOf, leftOut), this.selection.pathFilters);
    return this.testFiles;
  }

  /** Applies created and deleted files from the watcher to the test file list, without rescanning. */
  updateFiles(created: string[], deleted: string[]): void {
    const updated = updateTestFiles(this.testFiles, this.selection.projects, this.projects, this.workspace.root, created, deleted, this.settingsOf);
    const kept = new Set(updated.map((file) => file.absolute));
    // A test file that went takes its imports with it: they no longer start runs on its behalf.
    for (const file of this.testFiles) if (!kept.has(file.absolute)) this.moduleGraph.forget(file.absolute);
    this.testFiles = filterByPaths(updated, this.selection.pathFilters);
  }

  /**
   * The folders whose changes can change the selected tests' results. With the root project
   * selected, that is the whole workspace, so that a package added while watching is seen; what
   * is watched is then judged file by file (watch/relevance.ts).
   */
  watchRoots(): string[] {
    return watchRoots(this.selection.projects, this.projects, this.workspace.root, this.options.watch);
  }

  /** Boots the children of the next suite run while waiting for a change. */
  prepareSuite(): void {
    this.runner.prepareFiles(this.testFiles);
  }

  /** Boots the children of the next run of these tests while waiting for a change. */
  prepareTests(targets: TestResult[], known: TestResult[]): void {
    this.runner.prepareTests(targets, this.testFiles, known);
  }

  /** Forgets the booted children: they were started for a set of files or a configuration that changed. */
  discardPrepared(): void {
    this.runner.discardPrepared();
  }

  /**
   * Runs the selected test files, those that `scope.changed` can affect first: with `onlyAffected`
   * (smart mode), those alone. `scope.known` holds earlier results: it gives the count to expect.
   */
  async runSuite(phase: Phase, scope: SuiteScope = {}, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.options.via === 'nx') return this.runSuiteViaNx(phase, signal);
    const split = this.affectedFirst(scope.changed ?? []);
    const affected = this.longestFirst(split.affected);
    const rest = this.longestFirst(split.rest);
    // When no file can be told to depend on what changed, the whole suite is the safe answer.
    const files = scope.onlyAffected && affected.length > 0 ? affected : [...affected, ...rest];
    const running = new Set(files.map((file) => file.relative));
    const known = scope.known?.filter((result) => running.has(result.id.file)) ?? [];
    // A count only when every file has one: after a resume only the failing files' results are known.
    const counted = new Set(known.map((result) => result.id.file));
    const tests = known.length > 0 && files.every((file) => counted.has(file.relative)) ? known.length : null;
    this.emit({ type: 'run:start', phase, tests, files: files.length });
    const report = await this.runner.runFiles(files, this.progress(), signal);
    if (!report.aborted) for (const run of report.fileRuns) if (!run.aborted) this.durationsMs.set(run.file, Math.round(run.durationMs));
    return this.finish(phase, report);
  }

  /**
   * The suite step through `nx run-many` and Nx's cache (runner/via-nx.ts): every selected project
   * with tests, whatever changed, since Nx's hash decides what runs again.
   */
  private async runSuiteViaNx(phase: Phase, signal?: AbortSignal): Promise<RunOutcome> {
    const tested = new Set(this.testFiles.map((file) => file.projectRoot));
    const projects = this.selection.projects.filter((project) => tested.has(project.root)).map((project) => project.name);
    this.emit({ type: 'run:start', phase, tests: null, files: this.testFiles.length });
    const startedAt = performance.now();
    const outcome = await runSuiteViaNx(this.workspace.root, projects, this.options.jobs, signal);
    const results: TestResult[] = [];
    for (const { project, contents, cached } of outcome.projects) {
      this.emit({ type: 'project:results', project, cached, tests: contents.results.length });
      this.restoreFileKnowledge(contents.files);
      results.push(...contents.results);
    }
    if (!outcome.aborted) this.emitResults(results);
    return this.finish(phase, { results, fileRuns: [], aborted: outcome.aborted, durationMs: performance.now() - startedAt });
  }

  /**
   * Splits the test files by whether these changed files (relative to the root) can change their
   * verdicts: a test file that changed itself, loaded one of them, or has never said what it loads.
   */
  private affectedFirst(changed: string[]): { affected: TestFile[]; rest: TestFile[] } {
    if (changed.length === 0) return { affected: [], rest: this.testFiles };
    const touched = new Set<string>();
    for (const file of changed) {
      const absolute = path.resolve(this.workspace.root, file);
      touched.add(absolute);
      for (const importer of this.moduleGraph.importers(absolute)) touched.add(importer);
    }
    const affected: TestFile[] = [];
    const rest: TestFile[] = [];
    for (const file of this.testFiles) (touched.has(file.absolute) || !this.moduleGraph.knows(file.absolute) ? affected : rest).push(file);
    return { affected, rest };
  }

  /**
   * The longest files first, so that no long file starts last and keeps the others' workers waiting;
   * files never timed (new ones) before all, since they may be long. Otherwise in discovery order.
   */
  private longestFirst(files: TestFile[]): TestFile[] {
    const duration = (file: TestFile) => this.durationsMs.get(file.relative) ?? Infinity;
    return files
      .map((file, index) => ({ file, index, ms: duration(file) }))
      .sort((a, b) => (a.ms === b.ms ? a.index - b.index : b.ms - a.ms))
      .map(({ file }) => file);
  }

  /** What this session learnt about each test file, for the next one. */
  fileKnowledge(): FileKnowledge {
    return { durationsMs: Object.fromEntries(this.durationsMs), imports: this.moduleGraph.toRelative(this.workspace.root) };
  }

  /** Starts from what an earlier session learnt: the order of the first suite, and which changes count before it ends. */
  restoreFileKnowledge(saved: FileKnowledge): void {
    for (const [file, ms] of Object.entries(saved.durationsMs)) if (typeof ms === 'number' && !this.durationsMs.has(file)) this.durationsMs.set(file, ms);
    this.moduleGraph.restore(saved.imports, this.workspace.root);
  }

  /** The watcher saw these files (absolute) change: a test whose outcome changes without such a change is flaky. */
  noteChanges(files: string[]): void {
    this.flaky.noteChanges(files);
  }

  /** Runs exactly these tests; `known` holds the earlier results of their files. */
  async runTests(phase: Phase, targets: TestResult[], known: TestResult[], signal?: AbortSignal): Promise<RunOutcome> {
    const files = new Set(targets.map((target) => target.id.file));
    this.emit({ type: 'run:start', phase, tests: targets.length, files: files.size });
    const report = await this.runner.runTests(targets, this.testFiles, known, this.progress(targets), signal);
    return this.finish(phase, report);
  }

  /**
   * Results are reported as each file finishes, so that the counter moves during a long recheck;
   * targeted runs report only their targets, and only their starts (Node 20 also starts the tests a
   * name pattern deselects).
   */
  private progress(targets?: TestResult[]): RunProgress {
    const targetNames = targets && new Set(targets.flatMap((target) => target.id.path));
    const startedAt = this.flaky.now;
    const root = this.workspace.root;
    let projectOf: Map<string, string> | undefined;
    const filesOf = (testFile: string) => {
      const absolute = path.resolve(root, testFile);
      projectOf ??= new Map(this.testFiles.map((file) => [file.relative, file.projectRoot]));
      const projectRoot = projectOf.get(testFile);
      return [absolute, ...this.moduleGraph.importsOf(absolute), ...(projectRoot ? [projectRoot] : [])];
    };
    return {
      onTestStart: (file, name) => {
        if (!targetNames || targetNames.has(name)) this.emit({ type: 'test:start', project: file.project, file: file.relative, name });
      },
      onFileDone: (run) => {
        // As each file ends, not with the run: a save while the first suite still runs is judged by what has loaded so far.
        this.moduleGraph.update(run, this.workspace.root);
      },
      onResults: (results) => this.emitResults(this.flaky.observe(results, filesOf, startedAt)),
      onNotice: (message) => this.emit({ type: 'warning', message }),
    };
  }

  private emitResults(results: TestResult[]): void {
    for (const result of results) this.emit(resultEvent(result, this.workspace.root));
  }

  private finish(phase: Phase, finished: RunReport): RunOutcome {
    const root = this.workspace.root;
    if (finished.aborted) return { report: finished, groups: [] };
    const report = { ...finished, results: finished.results.map((result) => this.flaky.mark(result)) };
    const results = report.results;
    for (const run of report.fileRuns) {
      if (run.stdout || run.stderr) this.emit({ type: 'output', project: run.project, file: run.file, stdout: run.stdout, stderr: run.stderr });
    }
    // Groups come before the verdict, as in the seed: the verdict stays next to the status line.
    const groups = groupFailures(results, root);
    if (groups.length > 0) this.emit(groupsEvent(groups));
    if (this.options.debugTiming) {
      const files = report.fileRuns.map((run) => ({
        file: run.file,
        warm: run.timing?.warm ?? false,
        ...(run.timing?.firstFrameMs === undefined ? {} : { firstFrameMs: Math.round(run.timing.firstFrameMs) }),
        totalMs: Math.round(run.durationMs),
      }));
      this.emit({ type: 'timing', phase, files });
    }
    const event: CctrialEvent = { type: 'run:end', phase, durationMs: Math.round(report.durationMs), ...countOutcomes(results) };
    this.emit(event);
    return { report, groups };
  }
}
