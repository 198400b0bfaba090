import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRATA_BIN, strata } from "../../helpers/strata-cli.js";

let dir: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "strata-serve-cli-"));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
});

describe("strata demo and strata serve, as a user runs them", () => {
  it("writes the demo project with dev and prod at different revisions", async () => {
    const r = await strata(["demo", path.join(dir, "demo"), "--json"]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ revisions: 7, environments: { dev: ["e4b1d8c3a7f2"], prod: ["c2e9a7b4f6d0"] } });
    const status = await strata(["--project", path.join(dir, "demo"), "status", "--json"]);
    expect(status.json.environments.map((e: { environment: string; pending: string[] }) => [e.environment, e.pending])).toEqual([
      ["dev", []],
      ["prod", ["e4b1d8c3a7f2"]],
    ]);
  });

  it("refuses to write the demo over a folder that is not one", async () => {
    const r = await strata(["demo", path.join(__dirname)]);
    expect(r.code).toBe(2);
    expect(r.reason).toMatch(/is not empty and is not a Strata demo/);
  });

  it("refuses a port that is not a number", async () => {
    const r = await strata(["--project", path.join(dir, "demo"), "serve", "--port", "http"]);
    expect(r.code).toBe(2);
    expect(r.reason).toBe('strata: --port takes a port number 0-65535, not "http"');
  });

  it("prints a 127.0.0.1 URL with a token that opens the API, and stops on SIGTERM", async () => {
    child = spawn(process.execPath, [STRATA_BIN, "--project", path.join(dir, "demo"), "serve"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, STRATA_DATA_DIR: path.join(dir, "data") } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child!.stdout!.on("data", (d) => {
        out += d;
        const line = out.split("\n")[0];
        if (out.includes("\n") && line) resolve(line);
      });
      child!.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32,}$/);
    const u = new URL(url);
    const token = u.searchParams.get("token")!;
    const ok = await fetch(`${u.origin}/api/projectSummary`, { method: "POST", headers: { "content-type": "application/json", "x-strata-token": token }, body: "{}" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { environments: { name: string }[] }).environments.map((e: { name: string }) => e.name)).toEqual(["dev", "prod"]);
    const refused = await fetch(`${u.origin}/api/projectSummary`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
