/**
 * Issue 5 item 9, "the renderer cannot reach Node": the GUI page served by `strata serve`, in
 * Chromium, has no `require`, `process` or `module`, and neither it (without the token) nor a page
 * from another origin (with the token) can call the API or open the event stream. The Electron
 * side (contextIsolation, sandbox, nodeIntegration off, webSecurity on, only window.strata exposed)
 * is covered by test/unit/app/main-window.test.ts and preload.test.ts with a stubbed electron module.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openDemo, type DemoSession } from "./strata-serve.js";

let browser: Browser;
let session: DemoSession;
let foreign: Server;
let foreignOrigin: string;

beforeAll(async () => {
  browser = await launchChromium();
  session = await openDemo(browser);
  await session.page.locator("[data-testid=graph] [data-revision]").first().waitFor({ timeout: 60_000 });
  // Another site on this machine: a different port is a different origin.
  foreign = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title>");
  });
  await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await session?.close();
  await new Promise((r) => foreign?.close(r));
  await browser?.close();
});

describe("the GUI page in Chromium cannot reach Node or the API without the token", () => {
  it("has no require, process, module, Buffer or global in the page", async () => {
    const seen = await session.page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return {
        require: typeof w.require,
        process: typeof w.process,
        module: typeof (globalThis as Record<string, unknown>).module,
        Buffer: typeof w.Buffer,
        global: typeof w.global,
        electron: typeof w.electron,
      };
    });
    expect(seen).toEqual({ require: "undefined", process: "undefined", module: "undefined", Buffer: "undefined", global: "undefined", electron: "undefined" });
    expect(session.pageErrors).toEqual([]);
  });

  it("the page's own origin gets 401 from the API without the token, and 200 with it", async () => {
    const token = new URL(session.served.url).searchParams.get("token")!;
    const statuses = await session.page.evaluate(async (t) => {
      const call = (headers: Record<string, string>) =>
        fetch("/api/projectSummary", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" }).then((r) => r.status);
      return { none: await call({}), wrong: await call({ "x-strata-token": `${t}x` }), right: await call({ "x-strata-token": t }) };
    }, token);
    expect(statuses).toEqual({ none: 401, wrong: 401, right: 200 });
    const ws = await session.page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(`ws://${(globalThis as unknown as { location: { host: string } }).location.host}/events`);
          s.onopen = () => resolve("open");
          s.onerror = () => resolve("refused");
        }),
    );
    expect(ws).toBe("refused");
  });

  it("a page from another origin cannot call the API or open the event stream, even holding the token", async () => {
    const token = new URL(session.served.url).searchParams.get("token")!;
    const api = new URL(session.served.url).origin;
    const page = await session.context.newPage();
    try {
      await page.goto(foreignOrigin);
      const outcome = await page.evaluate(
        async ({ api, token }) => {
          const result: Record<string, string> = {};
          try {
            const r = await fetch(`${api}/api/projectSummary`, { method: "POST", headers: { "content-type": "application/json", "x-strata-token": token }, body: "{}" });
            result.json = `status ${r.status}: ${await r.text()}`;
          } catch (e) {
            result.json = `blocked: ${(e as Error).name}`;
          }
          try {
            // A "simple" request (no preflight): the server still refuses the foreign Origin.
            const r = await fetch(`${api}/api/projectSummary`, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" });
            result.simple = `opaque ${r.type}`;
          } catch (e) {
            result.simple = `blocked: ${(e as Error).name}`;
          }
          result.ws = await new Promise<string>((resolve) => {
            const s = new WebSocket(`${api.replace(/^http/, "ws")}/events?token=${encodeURIComponent(token)}`);
            s.onopen = () => resolve("open");
            s.onerror = () => resolve("refused");
            setTimeout(() => resolve("timeout"), 10_000);
          });
          return result;
        },
        { api, token },
      );
      console.log(`renderer-isolation: a foreign page with the token got ${JSON.stringify(outcome)}`);
      // The JSON call is stopped by CORS (no Access-Control-Allow-Origin is ever sent) or answered 403.
      expect(outcome.json).toMatch(/^blocked: TypeError$|^status 40[13]: /);
      expect(outcome.json).not.toMatch(/environments|revisions/);
      // The simple request leaves the page nothing to read (opaque), and the server refused it anyway (see host.test.ts).
      expect(outcome.simple).toMatch(/^opaque opaque$|^blocked/);
      expect(outcome.ws).toBe("refused");
    } finally {
      await page.close();
    }
  });
});
