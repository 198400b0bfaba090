// demo/: the demo project `npm start` opens (a SQLite database with a few revisions). May import: use-cases/
// and below.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { StrataError } from "../errors.js";
import { withDatabase } from "../use-cases/database-session.js";
import { runMigration } from "../use-cases/migrate.js";
import { openProject, selectEnvironment } from "../use-cases/open-project.js";
import { CONFIG_FILE_NAME } from "../project/index.js";
import { writeRevisionFile } from "../scripts/index.js";

/** A file that marks a folder as Strata's demo, so that making it afresh may delete it. */
const MARKER = ".strata-demo";

/** Where `npm start` keeps the demo: $STRATA_DATA_DIR/demo, or ~/.strata-demo. */
export function defaultDemoDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.STRATA_DATA_DIR ? path.join(path.resolve(env.STRATA_DATA_DIR), "demo") : path.join(os.homedir(), ".strata-demo");
}

interface DemoRevision {
  readonly revision: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly daysAgo: number;
  readonly up: string;
  readonly down: string;
}

// The graph: customers -> orders -> invoices (billing) -> due dates,
// a second branch from customers for the audit log (depends on orders),
// a merge of the two, then order status on top.
const REVISIONS: readonly DemoRevision[] = [
  {
    revision: "1c0a5e7f3b21",
    parents: [],
    message: "create customers",
    daysAgo: 40,
    up: `await knex.schema.createTable("customers", (t) => {
  t.increments("id");
  t.string("name", 200).notNullable();
  t.string("email", 320).notNullable().unique();
  t.timestamp("created_at").notNullable().defaultTo(knex.fn.now());
});`,
    down: `await knex.schema.dropTable("customers");`,
  },
  {
    revision: "4d9b2c60e8a3",
    parents: ["1c0a5e7f3b21"],
    message: "create orders",
    daysAgo: 33,
    up: `await knex.schema.createTable("orders", (t) => {
  t.increments("id");
  t.integer("customer_id").unsigned().notNullable().references("id").inTable("customers").onDelete("CASCADE");
  t.integer("total_cents").notNullable();
  t.string("currency", 3).notNullable().defaultTo("EUR");
  t.timestamp("placed_at").notNullable().defaultTo(knex.fn.now());
  t.index(["customer_id"], "orders_customer_id_index");
});`,
    down: `await knex.schema.dropTable("orders");`,
  },
  {
    revision: "7e31f0a9c4d5",
    parents: ["4d9b2c60e8a3"],
    message: "create invoices",
    branchLabels: ["billing"],
    daysAgo: 25,
    up: `await knex.schema.createTable("invoices", (t) => {
  t.increments("id");
  t.integer("order_id").unsigned().notNullable().references("id").inTable("orders");
  t.string("number", 32).notNullable().unique();
  t.integer("amount_cents").notNullable();
  t.timestamp("issued_at").notNullable().defaultTo(knex.fn.now());
});`,
    down: `await knex.schema.dropTable("invoices");`,
  },
  {
    revision: "a8c4e2d17b90",
    parents: ["7e31f0a9c4d5"],
    message: "add due date to invoices",
    daysAgo: 18,
    up: `await knex.schema.alterTable("invoices", (t) => {
  t.date("due_on");
});`,
    down: `await knex.schema.alterTable("invoices", (t) => {
  t.dropColumn("due_on");
});`,
  },
  {
    revision: "b5f6d3a2e1c8",
    parents: ["1c0a5e7f3b21"],
    message: "create audit log",
    branchLabels: ["audit"],
    dependsOn: ["4d9b2c60e8a3"],
    daysAgo: 20,
    up: `await knex.schema.createTable("audit_events", (t) => {
  t.bigIncrements("id");
  t.string("table_name", 64).notNullable();
  t.integer("row_id").notNullable();
  t.string("action", 16).notNullable();
  t.string("actor", 100).notNullable();
  t.timestamp("at").notNullable().defaultTo(knex.fn.now());
  t.index(["table_name", "row_id"], "audit_events_row_index");
});`,
    down: `await knex.schema.dropTable("audit_events");`,
  },
  {
    revision: "c2e9a7b4f6d0",
    parents: ["a8c4e2d17b90", "b5f6d3a2e1c8"],
    message: "merge billing and audit",
    daysAgo: 12,
    up: `// A merge joins two branches; it changes no schema.`,
    down: `// Nothing to undo.`,
  },
  {
    revision: "e4b1d8c3a7f2",
    parents: ["c2e9a7b4f6d0"],
    message: "add status to orders",
    daysAgo: 3,
    up: `await knex.schema.alterTable("orders", (t) => {
  t.string("status", 20).notNullable().defaultTo("placed");
  t.index(["status"], "orders_status_index");
});`,
    down: `await knex.schema.alterTable("orders", (t) => {
  t.dropIndex(["status"], "orders_status_index");
  t.dropColumn("status");
});`,
  },
];

/** What createDemoProject made. */
export interface DemoProjectResult {
  readonly root: string;
  readonly revisions: number;
  readonly environments: Readonly<Record<string, readonly string[]>>;
  readonly drift: string;
}

/**
 * Writes the built-in demo project into dir and migrates its two SQLite environments:
 * dev to every head, prod (protected, red) to the merge, then adds a column to prod by hand so
 * that drift detection has something to find. An earlier demo in dir is replaced; any other
 * non-empty folder is refused.
 */
export async function createDemoProject(dir: string): Promise<DemoProjectResult> {
  const root = path.resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    if (!existsSync(path.join(root, MARKER))) {
      throw new StrataError("FILE_EXISTS", `${root} is not empty and is not a Strata demo; give an empty or new folder`, { dir: root });
    }
    rmSync(root, { recursive: true, force: true });
  }
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, MARKER), "This folder is Strata's demo project; `strata demo` may replace it.\n");
  const config = {
    migrations: "migrations",
    environments: {
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" }, color: "#2a9d8f" },
      prod: { client: "better-sqlite3", connection: { filename: "prod.sqlite3" }, protected: true, color: "#d33" },
    },
  };
  writeFileSync(path.join(root, CONFIG_FILE_NAME), JSON.stringify(config, null, 2) + "\n");
  const migrations = path.join(root, "migrations");
  const now = Date.now();
  for (const r of REVISIONS) {
    await writeRevisionFile({
      dir: migrations,
      revision: r.revision,
      downRevisions: r.parents,
      ...(r.branchLabels ? { branchLabels: r.branchLabels } : {}),
      ...(r.dependsOn ? { dependsOn: r.dependsOn } : {}),
      message: r.message,
      now: new Date(now - r.daysAgo * 86_400_000),
      upBody: r.up,
      downBody: r.down,
    });
  }
  const project = await openProject({ project: root, cwd: root });
  const dev = selectEnvironment(project, "dev");
  const prod = selectEnvironment(project, "prod");
  const devResult = await runMigration(project, dev, { command: "upgrade", target: "heads" });
  const prodResult = await runMigration(project, prod, { command: "upgrade", target: "c2e9a7b4f6d0", confirmName: prod.name });
  // The drift: someone added a column on prod by hand, outside any revision.
  const drift = "customers.loyalty_tier added to prod by hand";
  await withDatabase(prod, async (db) => {
    await db.knex.raw("ALTER TABLE customers ADD COLUMN loyalty_tier varchar(20)");
  });
  return { root, revisions: REVISIONS.length, environments: { dev: devResult.heads, prod: prodResult.heads }, drift };
}
