// revisions/: the pure revision graph (Alembic's RevisionMap): build a map from plain records, resolve targets,
// plan upgrades, downgrades and stamps as data, never executing. May import: errors.ts only (no I/O, no knex).
export { RevisionMap, type JunctionInfo } from "./revision-map.js";
export { parseRelative, type RelativeTarget } from "./target-resolver.js";
export type { AmbiguousRelativeStep, Direction, Plan, RevisionRecord, StampPlan, Step, VersionOp } from "./types.js";
export { KnexChain, type KnexChainState } from "./knex-chain.js";
