// scripts/: revision files on disk: find them, read their literal exports without running them, compile and
// evaluate them (with a compile cache), write new ones. May import: errors.ts, revisions/ (types), esbuild, sucrase.
export * from "./types.js";
export { REVISION_FILE_EXTENSIONS, compileScriptsAhead, fileChecksum, isRevisionFileName, loadScriptDirectory, type LoadScriptDirectoryOptions } from "./script-directory.js";
export { DEFAULT_FILE_TEMPLATE, SLUG_LENGTH, renderFileName, slugify, type FileTemplateFields } from "./file-template.js";
export {
  DEFAULT_KNEX_STYLE,
  knexMigrationName,
  knexModuleStyle,
  newRevisionId,
  renderKnexMigrationSource,
  renderRevisionSource,
  writeKnexMigrationFile,
  writeRevisionFile,
  type KnexModuleStyle,
  type WriteKnexMigrationOptions,
  type WriteRevisionOptions,
} from "./revision-writer.js";
export { BACKGROUND_SLICE_MS, compileRevision, compileRevisionsAhead, evaluateRevision, type CompileAheadOptions, type CompiledRevision, type SourceToCompile } from "./module-evaluator.js";
