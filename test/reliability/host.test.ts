/**
 * Issue 5 item 9, the host: `strata serve` refuses requests without the token, with a wrong
 * token, with a foreign Host or Origin (HTTP and the WebSocket upgrade alike), and from anything
 * but loopback. test/integration/server/serve-host.test.ts shows single cases; this file is the
 * whole matrix. No traffic leaves loopback: a non-loopback peer is simulated by the address the
 * server's own socket reports, and "listens on 127.0.0.1 only" is shown by a refused connection
 * to 127.0.0.2 and ::1, which a server bound to every address would accept.
 */
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDemoProject, serveDemoProject, type ServedDemo } from "../helpers/demo-serve.js";
import { rawRequest, upgradeStatus } from "../helpers/host-requests.js";
import { startServeProcess } from "../helpers/serve-process.js";

/** An upgrade request with no Host header at all (clients always send one), written by hand to 127.0.0.1. */
function upgradeWithoutHost(port: number, query: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let text = "";
    s.setTimeout(10_000, () => s.destroy(new Error("timed out")));
    s.on("connect", () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      s.write(`GET /events${query} HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
    });
    s.on("data", (d) => {
      text += d;
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on("error", reject);
    s.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? -1)));
  });
}

/** Whether a TCP connection to host:port is accepted (loopback addresses only). */
function connects(host: string, port: number): Promise<boolean> {
  if (!/^127\.|^::1$/.test(host)) throw new Error(`not a loopback address: ${host}`);
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 5000 });
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

let demo: ServedDemo | undefined;
let dir: string;
let port: number;
let token: string;

beforeAll(async () => {
  demo = await serveDemoProject("strata-host-", { "index.html": "<!doctype html><title>Strata</title>" });
  dir = demo.dir;
  port = demo.session.host.port;
  token = demo.session.host.token;
});

afterAll(() => closeDemoProject(demo));

type TokenCase = "none" | "wrong" | "right";
type HostCase = "own" | "localhost" | "foreign" | "missing";
type OriginCase = "none" | "own" | "foreign" | "null";

const tokenCases: TokenCase[] = ["none", "wrong", "right"];
const hostCases: HostCase[] = ["own", "localhost", "foreign", "missing"];
const originCases: OriginCase[] = ["none", "own", "foreign", "null"];

function hostHeader(h: HostCase): Record<string, string> {
  if (h === "own") return { host: `127.0.0.1:${port}` };
  if (h === "localhost") return { host: `localhost:${port}` };
  if (h === "foreign") return { host: `evil.example:${port}` };
  return {};
}
function originHeader(o: OriginCase, h: HostCase): Record<string, string> {
  if (o === "none") return {};
  if (o === "own") return { origin: h === "localhost" ? `http://localhost:${port}` : `http://127.0.0.1:${port}` };
  if (o === "foreign") return { origin: "https://evil.example" };
  return { origin: "null" };
}
function wrongToken(): string {
  return token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
}

/** What the host must answer: Host and Origin first (403), then the token (401), then the call. */
function expected(t: TokenCase, h: HostCase, o: OriginCase, ok: number): number {
  if (h === "foreign" || h === "missing") return 403;
  if (o === "foreign" || o === "null") return 403;
  if (t !== "right") return 401;
  return ok;
}

const matrix = tokenCases.flatMap((t) => hostCases.flatMap((h) => originCases.map((o) => [t, h, o] as const)));

describe("strata serve refuses whoever lacks the token, the Host or the Origin: the whole matrix", () => {
  it.each(matrix)("API call: token %s, Host %s, Origin %s", async (t, h, o) => {
    const tokenHeaders: Record<string, string> = t === "none" ? {} : { "x-strata-token": t === "right" ? token : wrongToken() };
    const r = await rawRequest(port, "POST", "/api/appInfo", { ...hostHeader(h), ...originHeader(o, h), "content-type": "application/json", ...tokenHeaders }, "{}");
    const want = expected(t, h, o, 200);
    // Without a Host header Node's HTTP parser answers 400 itself, before Strata sees the request: refused either way.
    if (h === "missing") {
      expect([400, 403]).toContain(r.status);
      expect(r.body).not.toMatch(/projectRoot|environments/);
      return;
    }
    expect(r.status).toBe(want);
    if (want === 200) expect(JSON.parse(r.body)).toMatchObject({ host: "browser" });
    else {
      expect(JSON.parse(r.body).code).toBe(want === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
      // A refusal says nothing about the project.
      expect(r.body).not.toMatch(/projectRoot|environments|\/tmp\//);
    }
  });

  it.each(matrix)("event stream: token %s, Host %s, Origin %s", async (t, h, o) => {
    const query = t === "none" ? "" : `?token=${encodeURIComponent(t === "right" ? token : wrongToken())}`;
    if (h === "missing") {
      expect([400, 403]).toContain(await upgradeWithoutHost(port, query, originHeader(o, h)));
      return;
    }
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events${query}`, { ...hostHeader(h), ...originHeader(o, h) })).toBe(expected(t, h, o, 101));
  });

  it("takes the token from Authorization: Bearer too, and never from an API call's query string", async () => {
    const own = { host: `127.0.0.1:${port}`, "content-type": "application/json" };
    expect((await rawRequest(port, "POST", "/api/appInfo", { ...own, authorization: `Bearer ${token}` }, "{}")).status).toBe(200);
    expect((await rawRequest(port, "POST", "/api/appInfo", { ...own, authorization: `Bearer ${wrongToken()}` }, "{}")).status).toBe(401);
    expect((await rawRequest(port, "POST", "/api/appInfo", { ...own, authorization: `Basic ${token}` }, "{}")).status).toBe(401);
    expect((await rawRequest(port, "POST", `/api/appInfo?token=${token}`, own, "{}")).status).toBe(401);
  });

  it("refuses the page itself to a foreign Host (DNS rebinding), and serves it to its own", async () => {
    expect((await rawRequest(port, "GET", "/", { host: `evil.example:${port}` })).status).toBe(403);
    expect((await rawRequest(port, "GET", "/", { host: `127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe("strata serve answers this machine only", () => {
  it("refuses a request, and an event stream, whose peer is not a loopback address, even with the token", async () => {
    // The server's side of each connection reports a documentation-range address (RFC 5737):
    // the host sees a foreign peer, and no packet leaves loopback.
    // (remoteAddress is read through _getpeername, which a test may replace; the getter itself cannot be.)
    const proto = net.Socket.prototype as unknown as { _getpeername(this: net.Socket): { address?: string } };
    const original = proto._getpeername;
    proto._getpeername = function (this: net.Socket) {
      const peer = original.call(this);
      return this.localPort === port ? { ...peer, address: "203.0.113.7" } : peer;
    };
    try {
      const own = { host: `127.0.0.1:${port}`, "content-type": "application/json", "x-strata-token": token };
      const r = await rawRequest(port, "POST", "/api/appInfo", own, "{}");
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ code: "FORBIDDEN" });
      expect(JSON.parse(r.body).message).toContain("203.0.113.7");
      expect((await rawRequest(port, "GET", "/", { host: `127.0.0.1:${port}` })).status).toBe(403);
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${token}`, {})).toBe(403);
    } finally {
      proto._getpeername = original;
    }
    // And the same requests from loopback go through.
    expect((await rawRequest(port, "POST", "/api/appInfo", { host: `127.0.0.1:${port}`, "content-type": "application/json", "x-strata-token": token }, "{}")).status).toBe(200);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/events?token=${token}`, {})).toBe(101);
  });

  it("listens on 127.0.0.1 only: bin/strata serve refuses connections on 127.0.0.2 and ::1", async () => {
    const serve = await startServeProcess(path.join(dir, "project"), { env: { STRATA_DATA_DIR: path.join(dir, "serve-data") } });
    try {
      const url = serve.url;
      const servePort = Number(url.port);
      expect(url.hostname).toBe("127.0.0.1");
      expect(await connects("127.0.0.1", servePort)).toBe(true);
      // A server bound to 0.0.0.0 (or ::) would accept these.
      expect(await connects("127.0.0.2", servePort)).toBe(false);
      expect(await connects("::1", servePort)).toBe(false);
      const ok = await rawRequest(servePort, "POST", "/api/appInfo", { host: `127.0.0.1:${servePort}`, "content-type": "application/json", "x-strata-token": url.searchParams.get("token")! }, "{}");
      expect(ok.status).toBe(200);
    } finally {
      await serve.stop();
    }
  });
});
