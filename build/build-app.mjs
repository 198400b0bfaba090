// Bundles the Electron main process, the engine's utility process and the preload into
// dist/electron/ (main.cjs, engine-host.cjs, preload.cjs).
// The renderer is built separately into dist/renderer; main serves it from there.
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// Native drivers and libraries that load their parts at run time stay in node_modules (as in build-cli.mjs).
const external = ["electron", "knex", "pg", "pg-native", "mysql2", "better-sqlite3", "esbuild", "playwright", "playwright-core", "ssh2", "cpu-features"];
const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "linked",
  define: { __STRATA_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
  outdir: "dist/electron",
  outExtension: { ".js": ".cjs" },
};

await build({ ...common, entryPoints: { main: "electron/main/main.ts" }, external });
// The engine runs in a utility process (issue 18); it never imports Electron, so the tests fork it under Node.
await build({ ...common, entryPoints: { "engine-host": "electron/engine-host/entry.ts" }, external });
// A sandboxed preload may require only "electron" (and a few Node builtins): everything else is bundled in.
await build({ ...common, entryPoints: { preload: "electron/preload/preload.ts" }, external: ["electron"] });
