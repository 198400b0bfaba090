import type { Knex } from "knex";

type KnexFactory = (config: Knex.Config) => Knex;
let factory: KnexFactory | null = null;

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
    factory = typeof d === "function" ? d : (d.default ?? mod.knex!);
  }
  return factory;
}
