// `prepare` (run by `npm install` and `npm ci` in a clone): builds the CLI, the desktop app's main,
// engine process and preload, and the renderer, so that `strata serve` and `npm start` work with no
// further step (issue 18). Without the dev dependencies (npm install --omit=dev) there is no vite:
// the CLI still works and `strata serve` says the UI is not built.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(["build/build-cli.mjs"]);
run(["build/build-app.mjs"]);
const vite = path.join(root, "node_modules", "vite", "bin", "vite.js");
if (existsSync(vite)) {
  process.stderr.write("strata: building the UI into dist/renderer\n");
  run([vite, "build", "--config", "renderer/vite.config.ts", "--logLevel", "error"]);
} else {
  process.stderr.write("strata: vite is not installed (no dev dependencies), so the UI is not built; the CLI works, `strata serve` will say so\n");
}
