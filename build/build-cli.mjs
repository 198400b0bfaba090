// Bundles the CLI into dist/strata.cjs so that bin/strata starts fast and needs no build step
// after `npm install` (this runs as the package's `prepare` script).
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Pure-JS libraries are bundled (faster start); knex, the drivers and esbuild load their own
// parts dynamically or ship native code, so they stay in node_modules.
const external = ["knex", "pg", "pg-native", "mysql2", "better-sqlite3", "esbuild", "sucrase", "electron", "playwright", "playwright-core", "ssh2", "cpu-features"];

await build({
  entryPoints: { strata: "electron/cli/bin.ts" },
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
