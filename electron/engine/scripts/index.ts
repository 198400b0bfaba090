// The scripts module's public surface: reading and writing revision files.
export * from "./types.js";
export { REVISION_FILE_EXTENSIONS, fileChecksum, isRevisionFileName, loadScriptDirectory, type LoadScriptDirectoryOptions } from "./script-directory.js";
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
export { compileRevision, evaluateRevision, type CompiledRevision } from "./module-evaluator.js";
