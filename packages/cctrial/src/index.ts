/** The programmatic API, for the Nx plugin and other integrations. */
export { Engine, type RunOutcome } from './engine.js';
export type { CctrialEvent, EventSink, Phase, TestRef, Counts } from './events.js';
export { parseOptions, type Options } from './options.js';
export { findWorkspaceRoot, type WorkspaceRoot } from './workspace/root.js';
export { listProjects, type Project } from './workspace/projects.js';
export { ConfigError } from './errors.js';
export { testedProjects } from './workspace/model.js';
export { VERSION as version } from './version.js';
