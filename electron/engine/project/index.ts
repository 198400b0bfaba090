// project/: strata.config.json and knexfiles, environments and their connections (TLS, SSH tunnels), scaffolding,
// which database an environment reaches and whether it is protected. May import: errors.ts, knex-factory.ts,
// dialect/, scripts/, knex and drivers.
export * from "./types.js";
export { CONFIG_FILE_NAME, CLIENT_ALIASES, DEFAULT_HISTORY_TABLE, DEFAULT_VERSION_TABLE, KNEXFILE_NAMES, configFileSchema, configFromData, findKnexfile, findProjectRoot, loadConfig, parseConfig } from "./config-file.js";
export { URL_ENVIRONMENT_NAME, environmentFromUrl, resolveEnvironment, type ResolveEnvironmentOptions } from "./environment.js";
export { defaultConfigText, initProject, type InitProjectResult } from "./init-project.js";
export { LOCAL_PLACE, databaseIdentity, sameDatabase, type DatabaseIdentity, type IdentifiableEnvironment, type IdentityOptions } from "./database-identity.js";
export {
  confirmationNameOf,
  describeReach,
  findProtectedReach,
  protectEnvironment,
  protectedRoutesOf,
  refuseUnconfirmedChange,
  type ChangeAsked,
  type ProtectOptions,
  type ProtectedRoute,
} from "./database-protection.js";
export { initFromKnexfile, knexfileNotice, loadKnexfileConfig, loadProjectConfig, type InitFromKnexfileResult } from "./knexfile-config.js";
export { readGitFileHistory, type GitFileCommit } from "./git-file-history.js";
