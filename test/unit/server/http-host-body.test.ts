import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandlers } from "../../../shared/api.js";
import { EventHub } from "../../../electron/engine/app-session/event-hub.js";
import { startHttpHost, type HttpHost } from "../../../electron/server/http-host.js";

let host: HttpHost;
const dir = mkdtempSync(path.join(os.tmpdir(), "strata-body-"));

beforeAll(async () => {
  const handlers = new Proxy({}, { get: () => async () => ({ ok: true }) }) as unknown as ApiHandlers;
  host = await startHttpHost({ handlers, events: new EventHub(), port: 0, staticDir: dir, token: "t".repeat(32) });
});
afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Posts `size` bytes to 127.0.0.1 and resolves with the status, or "reset" when the connection was cut. */
function post(size: number): Promise<number | "reset"> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port: host.port, method: "POST", path: "/api/appInfo", agent: false, headers: { host: `127.0.0.1:${host.port}`, "content-type": "application/json", "x-strata-token": host.token } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve("reset"));
    req.end("x".repeat(size));
  });
}

describe("strata serve and a body over its limit (found by fuzz-api)", () => {
  it("answers 413 INVALID_REQUEST instead of resetting the connection, and keeps serving", async () => {
    expect(await post(1_100_000)).toBe(413);
    expect(await post(2)).toBe(400);
  });
});
