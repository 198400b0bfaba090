// Bundles the CLI into dist/strata.cjs so that bin/strata starts fast and needs no build step
// after `npm install` (this runs as the package's `prepare` script).
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Pure-JS libraries are bundled (faster start); knex, the drivers and esbuild load their own
// parts dynamically or ship native code, so they stay in node_modules.
const external = ["knex", "pg", "pg-native", "mysql2", "better-sqlite3", "esbuild", "electron", "playwright", "playwright-core", "ssh2", "cpu-features"];

// knex and its pure-JS drivers (pg, mysql2) go in a bundle of their own, dist/knex.cjs, loaded on
// a command's first database connection: from one file, Node resolves and stats none of their
// few hundred modules (about 30 ms of every such command). Native code and the drivers knex
// can load but Strata does not use stay outside.
const knexExternal = ["better-sqlite3", "pg-native", "pg-cloudflare", "cloudflare:sockets", "sqlite3", "mysql", "mariadb", "mariadb/*", "oracledb", "tedious", "mssql", "pg-query-stream"];
await build({
  stdin: { contents: 'module.exports = require("knex");', resolveDir: process.cwd(), sourcefile: "knex-entry.cjs" },
  outfile: "dist/knex.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: knexExternal,
  logLevel: "error",
});

/** The CLI loads knex from dist/knex.cjs, beside it. */
const knexFromBundle = {
  name: "knex-from-bundle",
  setup(b) {
    b.onResolve({ filter: /^knex$/ }, (args) => (args.kind === "dynamic-import" || args.kind === "require-call" ? { path: "./knex.cjs", external: true } : undefined));
  },
};

await build({
  entryPoints: { strata: "electron/cli/bin.ts" },
  plugins: [knexFromBundle],
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "linked",
  external,
  define: { __STRATA_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});

// bin/strata runs the bundle from V8's code cache, where Node 20 cannot run an import(): every
// import() left in it must be the fallback of a `typeof require === "function"` test.
const bundled = readFileSync(new URL("../dist/strata.cjs", import.meta.url), "utf8").split("\n");
const dynamic = bundled.filter((line) => /(^|[^\w$.])import\(/.test(line) && !line.includes('typeof require === "function" ?'));
if (dynamic.length > 0) {
  console.error(`build-cli: dist/strata.cjs has an import() that bin/strata cannot run from its code cache; use require:\n${dynamic.map((l) => `  ${l.trim()}`).join("\n")}`);
  process.exit(1);
}
