import type { Knex } from "knex";

type KnexFactory = (config: Knex.Config) => Knex;
let factory: KnexFactory | null = null;
let sqliteNativeBinding: string | null = null;

/**
 * Loads better-sqlite3's compiled part from this file instead of its own build folder (issue 18):
 * the desktop app's engine process runs in Electron's ABI, while node_modules holds Node's build
 * for the CLI and the tests. null: better-sqlite3 finds its own.
 */
export function setSqliteNativeBinding(file: string | null): void {
  sqliteNativeBinding = file;
}

/**
 * Every knex instance is made here, so the binding reaches all of them (environments, in-memory
 * scratch databases, SQL rendering); knex hands `connection.options.nativeBinding` to better-sqlite3.
 */
function withSqliteBinding(config: Knex.Config): Knex.Config {
  if (sqliteNativeBinding === null || config.client !== "better-sqlite3" || typeof config.connection !== "object" || config.connection === null) return config;
  const connection = config.connection as { options?: Record<string, unknown> };
  return { ...config, connection: { ...connection, options: { ...connection.options, nativeBinding: sqliteNativeBinding } } as Knex.Config["connection"] };
}

/**
 * knex, loaded on first use: commands that never touch a database (heads, history, revision)
 * start without paying for it (about a quarter of a second here).
 */
export async function loadKnex(): Promise<KnexFactory> {
  if (!factory) {
    // require where there is one (the CLI and app bundles are CommonJS; the CLI maps "knex" to its
    // own bundle of knex and drivers, see build/build-cli.mjs): Node's import() of a CommonJS
    // module first scans it for its exports, 5-40 ms more; and bin/strata runs the bundle from
    // V8's code cache, where Node 20 cannot run an import().
    const mod = (typeof require === "function" ? require("knex") : await import("knex")) as { default: KnexFactory | { default: KnexFactory }; knex?: KnexFactory };
    const d = mod.default;
    const made = typeof d === "function" ? d : (d.default ?? mod.knex!);
    factory = (config) => made(withSqliteBinding(config));
  }
  return factory;
}
