// The desktop app for real (issue 18): Electron's binary opens the demo, the engine answers from
// its utility process with better-sqlite3 built for Electron's ABI, and the graph is drawn. Runs
// where Electron's binary exists (under xvfb-run, or with Xvfb started here); skipped with its
// reason where it does not (these machines install with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { _electron } from "playwright";
import { afterAll, describe, expect, it } from "vitest";
import { electronBinary, electronVersion, prepareElectronNative } from "../../build/electron-native.mjs";
import { DEMO } from "./strata-serve.js";

const ROOT = path.resolve(__dirname, "..", "..");

const onPath = (command: string): boolean => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const binary = electronBinary();
const display = process.env.DISPLAY ? "display" : onPath("Xvfb") ? "xvfb" : null;
const skipReason = binary === null ? "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)" : display === null ? "no X display and no Xvfb (run it under xvfb-run)" : null;

let xvfb: ChildProcess | null = null;
const dirs: string[] = [];
afterAll(() => {
  xvfb?.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the desktop app under Electron", () => {
  it.skipIf(skipReason !== null)(`opens the demo project and reads its graph${skipReason ? ` (skipped: ${skipReason})` : ""}`, async () => {
    await prepareElectronNative({ root: ROOT, electronVersion: electronVersion(ROOT) });
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    if (!process.env.DISPLAY) {
      env.DISPLAY = ":97";
      xvfb = spawn("Xvfb", [":97", "-screen", "0", "1280x900x24", "-nolisten", "tcp"], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, 1000));
    }
    const data = mkdtempSync(path.join(os.tmpdir(), "strata-electron-smoke-"));
    dirs.push(data);
    env.STRATA_DATA_DIR = data;
    env.XDG_CONFIG_HOME = data;
    const app = await _electron.launch({ executablePath: binary!, args: [ROOT, "--demo"], env, cwd: ROOT });
    try {
      const page = await app.firstWindow();
      await page.locator("[data-testid=graph] [data-revision]").first().waitFor({ timeout: 60_000 });
      expect(await page.title()).toBe("Strata");
      for (const id of [DEMO.customers, DEMO.merge, DEMO.status]) await expect(page.locator(`[data-revision="${id}"]`).count()).resolves.toBe(1);
      const info = await page.evaluate(() => (globalThis as unknown as { strata: { appInfo(): Promise<{ host: string }> } }).strata.appInfo());
      expect(info.host).toBe("electron");
      // The demo's SQLite environments answer: better-sqlite3 loaded in Electron's ABI in the engine process.
      await page.locator('[data-env="dev"]').first().waitFor();
    } finally {
      await app.close();
    }
  });
});
