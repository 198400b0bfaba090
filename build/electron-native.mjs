// Builds better-sqlite3 for Electron's ABI into a folder of its own (issue 18), so that
// node_modules keeps Node's build for the CLI and the tests while the desktop app's engine process
// loads this one through better-sqlite3's `nativeBinding` option (electron/main/native-binding.ts
// finds it at the same place). `npm start` runs it where Electron's binary is present.
//
// The default rebuild is @electron/rebuild, which compiles with node-gyp against Electron's
// headers; those come from Electron's download site, so the step needs that site (or headers in
// node-gyp's cache). The rebuild is a parameter: the tests give their own.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Electron's binary, or null where it was never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1, no access to GitHub). */
export function electronBinary() {
  try {
    const p = require("electron");
    return typeof p === "string" && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The installed Electron's version (node_modules/electron/package.json). */
export function electronVersion(root) {
  return versionOf(path.join(root, "node_modules", "electron"));
}

/** Where the Electron build of better-sqlite3 goes, under the project's folder. */
export function electronNativeFile(root, electronVersion) {
  return path.join(root, ".cache", "electron-native", electronVersion, "better_sqlite3.node");
}

/** The default rebuild: @electron/rebuild on the staging folder, better-sqlite3 only. */
export async function rebuildWithElectronRebuild(options) {
  const { rebuild } = require("@electron/rebuild");
  await rebuild(options);
}

function versionOf(dir) {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

/**
 * Makes `.cache/electron-native/<electron>/better_sqlite3.node` unless it is there for this
 * better-sqlite3 version already. Returns the file and whether it was built now; throws an Error
 * whose message is one line saying what failed.
 */
export async function prepareElectronNative({ root, electronVersion, rebuild = rebuildWithElectronRebuild, log = (line) => process.stderr.write(line + "\n") }) {
  const source = path.join(root, "node_modules", "better-sqlite3");
  const sqliteVersion = versionOf(source);
  const file = electronNativeFile(root, electronVersion);
  const dir = path.dirname(file);
  const stampFile = path.join(dir, "prepared.json");
  const stamp = { electron: electronVersion, betterSqlite3: sqliteVersion };
  if (existsSync(file) && existsSync(stampFile)) {
    try {
      const had = JSON.parse(readFileSync(stampFile, "utf8"));
      if (had.electron === stamp.electron && had.betterSqlite3 === stamp.betterSqlite3) return { file, built: false };
    } catch {
      // An unreadable stamp: build again.
    }
  }
  // A copy of the package without its Node build: the rebuild compiles there and node_modules stays as it is.
  const staging = path.join(dir, "staging");
  rmSync(staging, { recursive: true, force: true });
  const target = path.join(staging, "node_modules", "better-sqlite3");
  cpSync(source, target, { recursive: true, filter: (p) => path.relative(source, p).split(path.sep)[0] !== "build" });
  writeFileSync(path.join(staging, "package.json"), JSON.stringify({ name: "strata-electron-native", private: true, dependencies: { "better-sqlite3": sqliteVersion } }, null, 2) + "\n");
  log(`strata: building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once) into ${path.relative(root, dir)}`);
  try {
    await rebuild({ buildPath: staging, electronVersion, onlyModules: ["better-sqlite3"], force: true, mode: "sequential" });
    const built = path.join(target, "build", "Release", "better_sqlite3.node");
    if (!existsSync(built)) throw new Error(`the rebuild left no ${path.relative(staging, built)}`);
    cpSync(built, file);
    writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + "\n");
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new Error(`cannot build better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}: ${why}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { file, built: true };
}
