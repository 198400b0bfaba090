import type { Knex } from "knex";

type KnexFactory = (config: Knex.Config) => Knex;
let factory: KnexFactory | null = null;

/**
 * knex, loaded on first use: commands that never touch a database (heads, history, revision)
 * start without paying for it (about a quarter of a second here).
 */
export async function loadKnex(): Promise<KnexFactory> {
  if (!factory) {
    const mod = (await import("knex")) as unknown as { default: KnexFactory | { default: KnexFactory }; knex?: KnexFactory };
    const d = mod.default;
    factory = typeof d === "function" ? d : (d.default ?? mod.knex!);
  }
  return factory;
}
