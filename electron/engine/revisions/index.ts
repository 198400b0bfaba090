/** The pure revision graph: build a map from records, resolve targets, plan upgrades, downgrades and stamps. */
export { RevisionMap, type JunctionInfo } from "./revision-map.js";
export { parseRelative, type RelativeTarget } from "./target-resolver.js";
export type { AmbiguousRelativeStep, Direction, Plan, RevisionRecord, StampPlan, Step, VersionOp } from "./types.js";
export { KnexChain, type KnexChainState } from "./knex-chain.js";
