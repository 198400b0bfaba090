// build/electron-builder.yml, checked since `npm run dist` cannot run here (it downloads Electron's
// zips): what the package holds, what leaves the asar, and that native modules are rebuilt (issue 18).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const require = createRequire(import.meta.url);
// electron-builder's own parser and glob matcher (its dependencies), so the patterns mean here what they mean to it.
const { load } = require("js-yaml") as { load(text: string): unknown };
const { minimatch } = require("minimatch") as { minimatch(file: string, pattern: string, options?: { dot?: boolean }): boolean };

interface BuilderConfig {
  readonly files: readonly string[];
  readonly asarUnpack: readonly string[];
  readonly npmRebuild: boolean;
  readonly extraMetadata: { readonly main: string };
}
const config = load(readFileSync(path.join(ROOT, "build", "electron-builder.yml"), "utf8")) as BuilderConfig;
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** electron-builder's `files`: a file is packed when a pattern takes it and no later `!pattern` drops it. */
function packed(file: string): boolean {
  let taken = false;
  for (const p of config.files) {
    if (p.startsWith("!")) {
      if (minimatch(file, p.slice(1), { dot: true })) taken = false;
    } else if (minimatch(file, p, { dot: true })) taken = true;
  }
  return taken;
}
const unpacked = (file: string): boolean => config.asarUnpack.some((p) => minimatch(file, p, { dot: true }));

describe("the packaged app (build/electron-builder.yml)", () => {
  it("packs the built CLI, main, the engine's utility process, preload and renderer, and no sources, maps or npm start's Electron build", () => {
    for (const f of ["package.json", "bin/strata", "dist/strata.cjs", "dist/knex.cjs", "dist/electron/main.cjs", "dist/electron/engine-host.cjs", "dist/electron/preload.cjs", "dist/renderer/index.html", "dist/renderer/assets/index-abc.js"]) {
      expect(packed(f), f).toBe(true);
    }
    for (const f of ["dist/electron/main.cjs.map", "electron/main/main.ts", "electron/engine-host/entry.ts", "test/unit/app/main-window.test.ts", ".cache/electron-native/40.8.5/better_sqlite3.node", "node_modules/knex/test/unit.js"]) {
      expect(packed(f), f).toBe(false);
    }
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(config.extraMetadata.main).toBe("dist/electron/main.cjs");
  });

  it("unpacks every native module and esbuild's binary from the asar, and nothing else of the app", () => {
    for (const f of [
      "node_modules/better-sqlite3/build/Release/better_sqlite3.node",
      "node_modules/better-sqlite3/lib/index.js",
      "node_modules/cpu-features/build/Release/cpufeatures.node",
      "node_modules/esbuild/bin/esbuild",
      "node_modules/@esbuild/linux-x64/bin/esbuild",
    ]) {
      expect(unpacked(f), f).toBe(true);
    }
    for (const f of ["dist/electron/main.cjs", "dist/electron/engine-host.cjs", "dist/renderer/index.html", "node_modules/knex/knex.js", "node_modules/pg/lib/index.js"]) {
      expect(unpacked(f), f).toBe(false);
    }
  });

  it("rebuilds native modules for the packaged Electron: better-sqlite3 is a runtime dependency, Electron is not", () => {
    expect(config.npmRebuild).toBe(true);
    expect(pkg.dependencies["better-sqlite3"]).toBeDefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.dependencies.electron).toBeUndefined();
  });
});
