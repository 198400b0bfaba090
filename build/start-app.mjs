// `npm start`: builds what the app needs, then opens it on the built-in demo project. With
// Electron's binary present it first makes better-sqlite3's Electron build (build/electron-native.mjs,
// once per Electron version) for the engine's utility process. Where the binary was never
// downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1, no access to GitHub), or that build cannot be made,
// it says so in one line and serves the same UI in the browser with `strata serve --open`.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { electronBinary, electronVersion, prepareElectronNative } from "./electron-native.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function step(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) {
    process.stderr.write(`strata: \`${[command, ...args].join(" ")}\` failed; fix the build and run npm start again\n`);
    process.exit(r.status ?? 1);
  }
}

// The same builds as `prepare`: the CLI, the app's processes, the renderer.
step(process.execPath, ["build/prepare.mjs"]);

const serve = [process.execPath, ["bin/strata", "serve", "--open", "--demo", ...process.argv.slice(2)]];
let electron = electronBinary();
if (!electron) {
  process.stdout.write("strata: Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); serving the same UI in your browser with `strata serve --open` instead\n");
} else {
  try {
    await prepareElectronNative({ root, electronVersion: electronVersion(root) });
  } catch (e) {
    process.stdout.write(`strata: ${e instanceof Error ? e.message : String(e)}; serving the same UI in your browser with \`strata serve --open\` instead\n`);
    electron = null;
  }
}
const [command, args] = electron ? [electron, [".", "--demo", ...process.argv.slice(2)]] : serve;
const child = spawn(command, args, { cwd: root, stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
