import { existsSync } from "node:fs";
import path from "node:path";

/** Where `npm start` puts better-sqlite3's Electron build, under the app's folder (build/electron-native.mjs writes it). */
export function electronNativeCacheFile(appRoot: string, electronVersion: string): string {
  return path.join(appRoot, ".cache", "electron-native", electronVersion, "better_sqlite3.node");
}

/** What the binding's place depends on. */
export interface NativeBindingContext {
  readonly packaged: boolean;
  /** app.getAppPath(): the project folder in development, …/resources/app.asar when packaged. */
  readonly appPath: string;
  readonly electronVersion: string;
  readonly exists?: (file: string) => boolean;
}

/**
 * better-sqlite3's compiled part for Electron's ABI (issue 18), or null where there is none (the
 * engine then loads node_modules' build, which fails in Electron with "compiled against a
 * different Node.js version"). Packaged, electron-builder's npmRebuild rebuilt it in place and
 * asarUnpack put it beside the archive: a .node file cannot be loaded from inside app.asar.
 */
export function sqliteNativeBinding(c: NativeBindingContext): string | null {
  const exists = c.exists ?? existsSync;
  const file = c.packaged
    ? path.join(c.appPath.replace(/app\.asar$/, "app.asar.unpacked"), "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node")
    : electronNativeCacheFile(c.appPath, c.electronVersion);
  return exists(file) ? file : null;
}
