import type { Knex } from "knex";
import type { RevisionRecord } from "../revisions/types.js";

/** The functions of a revision file, once compiled and evaluated. */
export interface RevisionModule {
  up(knex: Knex): Promise<void> | void;
  down(knex: Knex): Promise<void> | void;
}

/** A revision file on disk: its metadata (read without running it where possible) and a way to load it. */
export interface RevisionScript extends RevisionRecord {
  /** Absolute path. */
  readonly file: string;
  /** sha256 (hex) of the file's bytes, as recorded in the history table. */
  readonly checksum: string;
  /** false: run outside a transaction (the file exports `transaction = false`). */
  readonly transaction: boolean;
  /** In a knex folder: the name knex stores in knex_migrations (the file name, extension included). */
  readonly knexName?: string;
  /** Compile (TypeScript on the fly) and evaluate the file; cached after the first call. */
  load(): Promise<RevisionModule>;
}

/**
 * A migrations folder. "strata": files export `revision`; "knex": a plain knex folder read as
 * one linear chain ordered by file name, each id being the file name without its extension.
 */
export interface ScriptDirectory {
  readonly dir: string;
  readonly mode: "strata" | "knex";
  readonly scripts: readonly RevisionScript[];
}
