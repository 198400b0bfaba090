import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright";

const ROOT = path.resolve(__dirname, "..", "..");
const STRATA_BIN = path.join(ROOT, "bin", "strata");

/** Chromium from Debian's package; Playwright's own download is never used here. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", ...extraArgs],
  });
}

/** A running `strata serve` on a fresh project with its own data folder. */
export interface ServedProject {
  /** The project folder. */
  readonly root: string;
  /** The URL strata serve printed, token included. */
  readonly url: string;
  /** STRATA_DATA_DIR of the server (profiles, recent projects). */
  readonly dataDir: string;
  /** Output of the server so far (for failure messages). */
  output(): string;
  /** The server process (bench/ui.ts reads its CPU time). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Runs `strata ARGS` to completion; throws with its stderr when it fails. */
export function strataSync(args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, [STRATA_BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh temporary folder. */
export function freshDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes the built-in demo project (`strata demo DIR`) into a fresh folder and returns it. */
export function makeDemo(dataDir: string): string {
  const root = path.join(freshDir("strata-e2e-"), "demo");
  strataSync(["demo", root], { STRATA_DATA_DIR: dataDir });
  return root;
}

/** A fresh PostgreSQL database (psql as postgres on 127.0.0.1); returns its URL and how to drop it. */
export function createPostgresDatabase(): { readonly url: string; readonly name: string; drop(): void } {
  const name = `strata_e2e_${randomBytes(5).toString("hex")}`;
  execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", `create database ${name}`], { stdio: "pipe" });
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () => {
      execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", `drop database if exists ${name} with (force)`], { stdio: "pipe" });
    },
  };
}

/** Adds an environment to the project's strata.config.json. */
export function addEnvironment(root: string, name: string, env: Record<string, unknown>): void {
  const file = path.join(root, "strata.config.json");
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as { environments: Record<string, unknown> };
  config.environments[name] = env;
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
}

/**
 * Starts `strata --project ROOT serve --port 0` and waits for the URL it prints. STRATA_SERVE_NODE_FLAGS
 * (space-separated) are given to its node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for a bench.
 */
export async function serve(root: string, dataDir: string): Promise<ServedProject> {
  const nodeFlags = (process.env.STRATA_SERVE_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, STRATA_BIN, "--project", root, "serve", "--port", "0"], {
    cwd: root,
    env: { ...process.env, STRATA_DATA_DIR: dataDir, BROWSER: "none" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`strata serve printed no URL within 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/?\S*token=[\w-]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited with ${code}:\n${out}`));
    });
  });
  return {
    root,
    url,
    dataDir,
    output: () => out,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

/** One test's world: a project served with a fresh data folder, and a page on it. */
export interface DemoSession {
  readonly served: ServedProject;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Errors the page threw (a test fails on them). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** How a served project's page is opened. */
export interface PageOptions {
  /** 1280 x 800 unless given. */
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly colorScheme?: "light" | "dark";
  /** The route to open, e.g. "#/environments". */
  readonly hash?: string;
  /** Runs on the page before it loads (routes, init scripts). */
  readonly beforeLoad?: (page: Page) => void | Promise<void>;
}

/**
 * Serves the project folder `root` (with `dataDir`, a fresh data folder unless given) and opens
 * it in a new browser context; close() stops both and removes `root` and the data folder, as
 * does a failure to start.
 */
export async function openProject(browser: Browser, root: string, opts: PageOptions & { readonly dataDir?: string } = {}): Promise<DemoSession> {
  const dataDir = opts.dataDir ?? freshDir("strata-e2e-data-");
  let served: ServedProject | null = null;
  let context: BrowserContext | null = null;
  const close = async (): Promise<void> => {
    await context?.close();
    await served?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    served = await serve(root, dataDir);
    context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, colorScheme: opts.colorScheme ?? "light" });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await opts.beforeLoad?.(page);
    await page.goto(served.url + (opts.hash ?? ""));
    return { served, context, page, pageErrors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Makes a fresh demo (optionally changed before serving), serves it, and opens it in a new browser context. */
export async function openDemo(
  browser: Browser,
  opts: PageOptions & { readonly prepare?: (root: string) => void | Promise<void> } = {},
): Promise<DemoSession> {
  const dataDir = freshDir("strata-e2e-data-");
  const root = makeDemo(dataDir);
  await opts.prepare?.(root);
  const session = await openProject(browser, root, { ...opts, dataDir });
  return {
    ...session,
    async close() {
      await session.close();
      fs.rmSync(path.dirname(root), { recursive: true, force: true });
    },
  };
}

/** The demo's revisions (electron/engine/demo/demo-project.ts). */
export const DEMO = {
  customers: "1c0a5e7f3b21",
  orders: "4d9b2c60e8a3",
  invoices: "7e31f0a9c4d5",
  dueDate: "a8c4e2d17b90",
  audit: "b5f6d3a2e1c8",
  merge: "c2e9a7b4f6d0",
  status: "e4b1d8c3a7f2",
} as const;
