/**
 * The plugin entry that nx.json `plugins` loads: the inferred `cctrial` target. Exported under both
 * names: Nx 22+ reads `createNodes` (batched), Nx 19.2-21 prefers `createNodesV2` (the same shape).
 */
export { createNodes, createNodesV2, type CctrialPluginOptions } from './plugin/create-nodes';
