// The ABI preparation step of `npm start` (issue 18) with the rebuild injected: what it runs, where
// its output goes, and that main's engine process finds it there (dev) or beside app.asar (packaged).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { electronNativeFile, prepareElectronNative } from "../../../build/electron-native.mjs";
import type { NativeRebuildOptions } from "../../../build/electron-native.mjs";
import { electronNativeCacheFile, sqliteNativeBinding } from "../../../electron/main/native-binding.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const tempDir = useTempDirs("strata-electron-native-");

/** A project folder whose node_modules holds a better-sqlite3 with Node's build in it. */
function project(version = "12.6.2"): string {
  const root = tempDir();
  const pkg = path.join(root, "node_modules", "better-sqlite3");
  mkdirSync(path.join(pkg, "build", "Release"), { recursive: true });
  mkdirSync(path.join(pkg, "src"), { recursive: true });
  writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "better-sqlite3", version }));
  writeFileSync(path.join(pkg, "binding.gyp"), "{}");
  writeFileSync(path.join(pkg, "src", "better_sqlite3.cpp"), "// source");
  writeFileSync(path.join(pkg, "build", "Release", "better_sqlite3.node"), "node-abi-115");
  return root;
}

/** A rebuild that compiles nothing: it checks what it was given and leaves an "Electron build" where node-gyp would. */
function fakeRebuild(seen: NativeRebuildOptions[], content = "electron-abi-143") {
  return async (o: NativeRebuildOptions): Promise<void> => {
    seen.push(o);
    const pkg = path.join(o.buildPath, "node_modules", "better-sqlite3");
    // The copy has the sources and none of Node's build.
    expect(existsSync(path.join(pkg, "binding.gyp"))).toBe(true);
    expect(existsSync(path.join(pkg, "src", "better_sqlite3.cpp"))).toBe(true);
    expect(existsSync(path.join(pkg, "build"))).toBe(false);
    mkdirSync(path.join(pkg, "build", "Release"), { recursive: true });
    writeFileSync(path.join(pkg, "build", "Release", "better_sqlite3.node"), content);
  };
}

describe("npm start's Electron build of better-sqlite3", () => {
  it("rebuilds only better-sqlite3, for the Electron version, in a staging copy, into .cache/electron-native/<version>/", async () => {
    const root = project();
    const seen: NativeRebuildOptions[] = [];
    const lines: string[] = [];
    const out = await prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: fakeRebuild(seen), log: (l) => lines.push(l) });
    expect(seen).toEqual([{ buildPath: path.join(root, ".cache", "electron-native", "40.8.5", "staging"), electronVersion: "40.8.5", onlyModules: ["better-sqlite3"], force: true, mode: "sequential" }]);
    expect(out).toEqual({ file: path.join(root, ".cache", "electron-native", "40.8.5", "better_sqlite3.node"), built: true });
    expect(readFileSync(out.file, "utf8")).toBe("electron-abi-143");
    expect(lines).toEqual([`strata: building better-sqlite3 12.6.2 for Electron 40.8.5 (once) into ${path.join(".cache", "electron-native", "40.8.5")}`]);
    // node_modules keeps Node's build for the CLI and the tests; the staging copy is gone.
    expect(readFileSync(path.join(root, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"), "utf8")).toBe("node-abi-115");
    expect(readdirSync(path.dirname(out.file)).sort()).toEqual(["better_sqlite3.node", "prepared.json"]);
  });

  it("does not build again for the same Electron and better-sqlite3, and does when either changes", async () => {
    const root = project();
    const seen: NativeRebuildOptions[] = [];
    await prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: fakeRebuild(seen), log: () => undefined });
    const again = await prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: fakeRebuild(seen), log: () => undefined });
    expect(again.built).toBe(false);
    expect(seen).toHaveLength(1);
    const other = await prepareElectronNative({ root, electronVersion: "41.0.0", rebuild: fakeRebuild(seen, "electron-41"), log: () => undefined });
    expect(other).toEqual({ file: electronNativeFile(root, "41.0.0"), built: true });
    writeFileSync(path.join(root, "node_modules", "better-sqlite3", "package.json"), JSON.stringify({ name: "better-sqlite3", version: "12.7.0" }));
    const upgraded = await prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: fakeRebuild(seen), log: () => undefined });
    expect(upgraded.built).toBe(true);
    expect(seen.map((o) => o.electronVersion)).toEqual(["40.8.5", "41.0.0", "40.8.5"]);
  });

  it("fails in one line naming what could not be built, leaving no file behind", async () => {
    const root = project();
    const failing = async (): Promise<void> => {
      throw new Error("gyp ERR! stack Error: getaddrinfo ENOTFOUND artifacts.electronjs.org\n    at GetAddrInfoReqWrap.onlookup");
    };
    await expect(prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: failing, log: () => undefined })).rejects.toThrow(
      /^cannot build better-sqlite3 12\.6\.2 for Electron 40\.8\.5: gyp ERR! stack Error: getaddrinfo ENOTFOUND artifacts\.electronjs\.org$/,
    );
    expect(existsSync(electronNativeFile(root, "40.8.5"))).toBe(false);
    expect(existsSync(path.join(root, ".cache", "electron-native", "40.8.5", "staging"))).toBe(false);
    const silent = async (): Promise<void> => undefined;
    await expect(prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: silent, log: () => undefined })).rejects.toThrow(/the rebuild left no .*better_sqlite3\.node$/);
  });
});

describe("where main's engine process finds the Electron build", () => {
  it("takes npm start's build in development, and none (with the reason left to the first connection) when it was not made", async () => {
    const root = project();
    expect(electronNativeCacheFile(root, "40.8.5")).toBe(electronNativeFile(root, "40.8.5"));
    expect(sqliteNativeBinding({ packaged: false, appPath: root, electronVersion: "40.8.5" })).toBeNull();
    await prepareElectronNative({ root, electronVersion: "40.8.5", rebuild: fakeRebuild([]), log: () => undefined });
    expect(sqliteNativeBinding({ packaged: false, appPath: root, electronVersion: "40.8.5" })).toBe(electronNativeFile(root, "40.8.5"));
  });

  it("takes the rebuilt module beside app.asar when packaged (a .node file cannot load from inside the archive)", () => {
    const appPath = path.join("/opt", "Strata", "resources", "app.asar");
    const asked: string[] = [];
    const found = sqliteNativeBinding({ packaged: true, appPath, electronVersion: "40.8.5", exists: (f) => (asked.push(f), true) });
    expect(found).toBe(path.join("/opt", "Strata", "resources", "app.asar.unpacked", "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"));
    expect(asked).toEqual([found]);
    expect(sqliteNativeBinding({ packaged: true, appPath, electronVersion: "40.8.5", exists: () => false })).toBeNull();
  });
});
