// "npm install is enough" (issue 18): in a fresh copy of the project, the `prepare` script that
// npm install and npm ci run is all it takes for `strata serve` to serve the UI. The copy's
// node_modules is this checkout's (no registry here); dist/ starts absent as in a clone.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { electronBinary } from "../../../build/electron-native.mjs";
import { startServeProcess, waitForServeUrl } from "../../helpers/serve-process.js";
import { writeProject } from "../../helpers/strata-cli.js";
import { useTempDirs } from "../../helpers/temp-dirs.js";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const tempDir = useTempDirs("strata-fresh-clone-");

/** The project's files as a clone has them: tracked and new files, nothing ignored (no dist/, no .cache/). */
function cloneWorkingTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "strata-fresh-clone-"));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    if (f === "node_modules" || !existsSync(path.join(ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dir, f));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

describe("after npm install alone", () => {
  let clone = "";
  beforeAll(() => {
    clone = cloneWorkingTree();
  });
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  it("strata serve serves the UI: prepare built the CLI, the app's processes and the renderer", async () => {
    expect(existsSync(path.join(clone, "dist"))).toBe(false);
    const prepare = spawnSync("npm", ["run", "prepare", "--silent"], { cwd: clone, encoding: "utf8", timeout: 120_000 });
    expect(prepare.status, prepare.stderr).toBe(0);
    expect(prepare.stderr).toContain("strata: building the UI into dist/renderer");
    for (const f of ["dist/strata.cjs", "dist/electron/main.cjs", "dist/electron/engine-host.cjs", "dist/electron/preload.cjs", "dist/renderer/index.html"]) {
      expect(existsSync(path.join(clone, f)), f).toBe(true);
    }
    const project = writeProject({ environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } } });
    const serve = await startServeProcess(project, { bin: path.join(clone, "bin", "strata"), env: { STRATA_DATA_DIR: tempDir() } });
    try {
      const page = await fetch(serve.url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain("The Strata UI is not built");
      const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const js = await fetch(new URL(script!, serve.url));
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toContain("javascript");
    } finally {
      await serve.stop();
      rmSync(project, { recursive: true, force: true });
    }
  }, 180_000);

  const withElectron = electronBinary() !== null;
  it.skipIf(withElectron)(`npm start says in one line that Electron's binary is missing and serves the demo in the browser instead${withElectron ? " (skipped: Electron's binary is installed here; test/e2e/electron-smoke.e2e.ts opens the app)" : ""}`, async () => {
    const child = spawn("npm", ["start", "--silent", "--", "--port", "0"], { cwd: clone, env: { ...process.env, STRATA_DATA_DIR: tempDir(), PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    try {
      const url = await waitForServeUrl(() => out, 120_000, "npm start");
      const lines = out.split("\n").filter((l) => l.includes("Electron"));
      expect(lines).toEqual(["strata: Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); serving the same UI in your browser with `strata serve --open` instead"]);
      expect((await fetch(url)).status).toBe(200);
      const summary = await fetch(new URL("/api/projectSummary", url), { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${url.searchParams.get("token")}` }, body: "{}" });
      expect(summary.status).toBe(200);
      const body = (await summary.json()) as { revisions: { id: string }[] };
      expect(body.revisions.length).toBeGreaterThan(3);
    } finally {
      // npm, node start-app.mjs and strata serve: the whole group goes.
      process.kill(-child.pid!, "SIGTERM");
    }
  }, 180_000);
});
