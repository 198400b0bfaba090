// Opens a project of 10,000 revisions in Chromium through `strata serve` and prints the time to
// the first drawn graph and the frame times while scrolling the graph from top to bottom.
// Usage: npm run build && npx tsx bench/ui.ts [REVISIONS] [--graph-only]   (npm run build also builds the renderer)
//   --graph-only stops after the graph's figures (first graph, scrolling): no environments screen or plan.
// Scrolling is measured twice: 20 rows per frame (a fast fling) and 5 rows per frame (a quick wheel).
// Five SQLite environments stand at different revisions (issue 19): the environments screen is
// timed from the click to its five rows (and to its drift column), and the apply screen from the
// click to a plan of about 2,000 steps with its SQL drawn (the steps list and the SQL pane both in),
// clicked right after the environments screen, as a person would: the drift checks it asked for
// give the server's event loop back between revisions, so the plan is not queued behind them.
//
// Frame times: the scrolling is measured in a second Chromium run with --disable-frame-rate-limit
// --disable-gpu-vsync, so requestAnimationFrame fires as soon as the previous frame is done and the
// time between two callbacks is the cost of a frame (scroll, React render of the rows, layout,
// paint). With vsync on, every frame would read ~16.7 ms whatever its cost. Everything else runs in
// a Chromium with vsync on, as people have it: unlimited, a spinner on screen (the apply screen's
// "planning") is drawn as fast as the cores allow, and took 0.4-0.7 s of CPU from the page and the
// server during a plan's first click.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launchChromium, serve } from "../test/e2e/strata-serve.js";
import { processCpuMs } from "./bench-process.js";
import { UI_BENCH_ENVIRONMENTS, UI_BENCH_PLAN_STEPS, uiBenchProject } from "./ui-bench-project.js";

// Runs in the page. A string, not a function: tsx's transform would add helpers the page lacks.
// Scrolls `rows` rows per frame from the top to the bottom; the time between frames is recorded.
const scrollTopToBottom = (rows: number): string => `(async () => {
  const el = document.querySelector("[data-testid=graph]");
  el.scrollTop = 0;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const rowsDrawn = document.querySelectorAll("[data-testid=graph] [data-revision]").length;
  const step = ${rows} * 30;
  const frames = [];
  await new Promise((resolve) => {
    let last = 0;
    const tick = (t) => {
      if (last) frames.push(t - last);
      last = t;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return resolve();
      el.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return { rowsDrawn, graphDrawnMs: performance.getEntriesByName("strata:graph-drawn")[0].startTime, frames, scrolledPx: el.scrollTop };
})()`;

const n = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 10_000);
const graphOnly = process.argv.includes("--graph-only");
const ENVIRONMENTS = UI_BENCH_ENVIRONMENTS;
const PLAN_STEPS = UI_BENCH_PLAN_STEPS;

interface Figures {
  readonly rowsDrawn: number;
  readonly graphDrawnMs: number;
  readonly frames: readonly number[];
  readonly scrolledPx: number;
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/**
 * The scroll, top to bottom at 20 and then 5 rows per frame, in a Chromium of its own with the frame
 * rate unlimited (see the header); returns each speed's p95 line for the RESULT.
 */
async function measureScrolling(url: string, dir: string): Promise<string[]> {
  const p95: string[] = [];
  const unlimited = await launchChromium(["--disable-frame-rate-limit", "--disable-gpu-vsync"]);
  try {
    const page = await unlimited.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => performance.getEntriesByName("strata:graph-drawn").length > 0, undefined, { timeout: 120_000, polling: 5 });
    await page.getByText("reading environments").first().waitFor({ state: "detached", timeout: 120_000 });
    await page.locator("[data-testid=graph]").focus();
    for (const rows of [20, 5]) {
      const figures = (await page.evaluate(scrollTopToBottom(rows))) as Figures;
      // The rows keep their DOM while scrolling, so the last in DOM order is not the bottom one: the highest aria-posinset is.
      const drawnRows = page.locator("[data-testid=graph] [data-revision]");
      let last: string | null = null;
      for (let i = 0, top = 0, n = await drawnRows.count(); i < n; i++) {
        const at = Number(await drawnRows.nth(i).getAttribute("aria-posinset"));
        if (at > top) [top, last] = [at, await drawnRows.nth(i).getAttribute("data-revision")];
      }
      const f = figures.frames;
      console.log(`revisions: ${fs.readdirSync(path.join(dir, "migrations")).length}; rows in the DOM at a time: ${figures.rowsDrawn}; scrolled ${figures.scrolledPx} px to ${last}`);
      console.log(
        `scroll top to bottom, ${rows} rows per frame: ${f.length} frames; frame time p50 ${quantile(f, 0.5).toFixed(1)} ms, p95 ${quantile(f, 0.95).toFixed(1)} ms, p99 ${quantile(f, 0.99).toFixed(1)} ms, max ${Math.max(...f).toFixed(1)} ms; frames over 16 ms: ${f.filter((x) => x > 16).length}`,
      );
      p95.push(`${rows} rows/frame p95 ${quantile(f, 0.95).toFixed(1)} ms`);
    }
  } finally {
    await unlimited.close();
  }
  return p95;
}

async function main(): Promise<void> {
  const { dir, dataDir } = uiBenchProject(n);
  const served = await serve(dir, dataDir);
  const browser = await launchChromium([]);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const open = async (label: string): Promise<number> => {
      const t0 = Date.now();
      await page.goto(served.url, { waitUntil: "commit" });
      await page.waitForFunction(() => performance.getEntriesByName("strata:graph-drawn").length > 0, undefined, { timeout: 120_000, polling: 5 });
      const wall = Date.now() - t0;
      const mark = await page.evaluate(() => performance.getEntriesByName("strata:graph-drawn")[0]!.startTime);
      // Where the time goes: the entry script (which sends projectSummary at once), the server's answer, the app script (React and the graph
      // screen, loaded meanwhile) and JSON.parse, then layout, React commit and the first frame.
      const t = (await page.evaluate(`(() => {
        const r = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/api/projectSummary"));
        const nav = performance.getEntriesByType("navigation")[0];
        const at = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : NaN; };
        const app = performance.getEntriesByType("resource").find((e) => e.name.includes("/render-app-") && e.name.endsWith(".js"));
        return { html: nav ? nav.responseEnd : NaN, dcl: nav ? nav.domContentLoadedEventEnd : NaN, reqStart: r ? r.startTime : NaN, resEnd: r ? r.responseEnd : NaN, bytes: r ? r.encodedBodySize : NaN, parsed: at("strata:project-loaded"), committed: at("strata:graph-committed"), appStart: app ? app.startTime : NaN, appEnd: app ? app.responseEnd : NaN };
      })()`)) as { html: number; dcl: number; reqStart: number; resEnd: number; bytes: number; parsed: number; committed: number; appStart: number; appEnd: number };
      console.log(
        `${label}: first graph drawn ${mark.toFixed(0)} ms after navigation start (wall clock from goto: ${wall} ms); ` +
          `page received ${t.html.toFixed(0)} ms, entry script ready ${t.dcl.toFixed(0)} ms, app script fetched ${t.appStart.toFixed(0)}→${t.appEnd.toFixed(0)} ms, projectSummary ${t.reqStart.toFixed(0)}→${t.resEnd.toFixed(0)} ms (server ${(t.resEnd - t.reqStart).toFixed(0)} ms, ${(t.bytes / 1e6).toFixed(2)} MB), ` +
          `renderer after the answer ${(mark - t.resEnd).toFixed(0)} ms (app script loaded and answer parsed +${(t.parsed - t.resEnd).toFixed(0)}, layout and React commit +${(t.committed - t.parsed).toFixed(0)}, first frame +${(mark - t.committed).toFixed(0)})`,
      );
      return mark;
    };
    // Cold: the server reads the 10,000 files for the first time; warm: a reload of the page.
    const cold = await open("cold (server's first read of the project)");
    const warm = await open("warm (page reload)");
    const warm2 = await open("warm (page reload, again)");
    const environmentsRead = (): Promise<unknown> => page.getByText("reading environments").first().waitFor({ state: "detached", timeout: 120_000 });
    await environmentsRead();
    const settled = await open("warm (page reload once the environments were read)");
    await environmentsRead();
    const settled2 = await open("warm (page reload once the environments were read, again)");

    const p95 = await measureScrolling(served.url, dir);
    if (graphOnly) {
      console.log(`RESULT first-graph cold ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)}/${warm2.toFixed(0)} ms, settled ${settled.toFixed(0)}/${settled2.toFixed(0)} ms; ${p95.join(", ")}`);
      return;
    }
    // The environments screen and a 2,000-step plan, each from the click (a hash change in the loaded app), twice.
    // The server's CPU time (user + system, all its threads) from /proc: beside a wall-clock figure on a loaded machine, what the server itself spent.
    const serverCpuMs = (): number => processCpuMs(served.pid);
    // Chromium's processes' CPU time too, by kind (the page's renderer, the GPU process that rasters
    // and composites in software here, the browser): on two cores they and the server share the CPU.
    const chromiumCpuMs = (): Map<string, number> => {
      const byKind = new Map<string, number>();
      for (const line of execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n")) {
        const m = /^\s*(\d+)\s+(\S*chrom\S*)(.*)$/.exec(line);
        if (!m) continue;
        const kind = /--type=renderer/.test(m[3]!) ? "renderer" : /--type=gpu/.test(m[3]!) ? "GPU" : /--type=/.test(m[3]!) ? "other" : "browser";
        const ms = processCpuMs(Number(m[1]));
        if (!Number.isNaN(ms)) byKind.set(kind, (byKind.get(kind) ?? 0) + ms);
      }
      return byKind;
    };
    const cpu: string[] = [];
    const timeScreen = async (hash: string, done: () => Promise<unknown>, settle?: () => Promise<unknown>): Promise<number> => {
      await page.evaluate(`location.hash = "#/graph"`);
      await page.locator("[data-testid=graph]").waitFor({ timeout: 120_000 });
      await settle?.();
      const c0 = serverCpuMs();
      const chromium0 = chromiumCpuMs();
      const t0 = (await page.evaluate(`(() => { const t = performance.now(); location.hash = ${JSON.stringify(hash)}; return t; })()`)) as number;
      await done();
      const ms = ((await page.evaluate("performance.now()")) as number) - t0;
      const chromium = [...chromiumCpuMs()].filter(([kind]) => kind !== "other").map(([kind, ms]) => `${kind} ${(ms - (chromium0.get(kind) ?? 0)).toFixed(0)}`);
      // For the plan: when the page sent planMigration and when its answer was in, from the click (the rest is the page drawing it).
      const call = (await page.evaluate(`(() => {
        const r = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/planMigration") && e.startTime >= ${t0}).pop();
        return r ? { sent: r.startTime - ${t0}, answered: r.responseEnd - ${t0} } : null;
      })()`)) as { sent: number; answered: number } | null;
      const split = call ? ` (planMigration sent +${call.sent.toFixed(0)} ms, answered +${call.answered.toFixed(0)} ms)` : "";
      cpu.push(`${hash.split("?")[0]} ${ms.toFixed(0)} ms wall${split}, server CPU ${(serverCpuMs() - c0).toFixed(0)} ms, Chromium CPU ${chromium.join(" / ")} ms, load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`);
      return ms;
    };
    const rowsDrawn = () => page.locator("[data-testid=matrix] [data-env-row]").nth(ENVIRONMENTS.length - 1).waitFor({ timeout: 120_000 });
    const driftDrawn = async () => {
      await rowsDrawn();
      await page.locator("[data-testid=drift-checking]").first().waitFor({ state: "detached", timeout: 300_000 });
    };
    const planDrawn = () => page.locator('[data-testid="code-plan SQL"] .cm-content, [data-testid=plan] .notice').first().waitFor({ timeout: 120_000 });
    const envs: string[] = [];
    const plans: string[] = [];
    const apply = `#/apply?environment=qa&command=upgrade&target=heads`;
    for (let i = 0; i < 2; i++) {
      // The plan is clicked as soon as the rows are in, while the drift checks they asked for still run in the server.
      const rows = await timeScreen("#/environments", rowsDrawn);
      const planDuringDrift = await timeScreen(apply, planDrawn);
      const drift = await timeScreen("#/environments", driftDrawn);
      envs.push(`${rows.toFixed(0)} ms (drift column filled ${drift.toFixed(0)} ms)`);
      const plan = await timeScreen(apply, planDrawn);
      // The steps list draws only the rows in view: the count is the one the screen prints.
      const steps = await page.locator("[data-testid=plan-step-count]").textContent();
      plans.push(`${planDuringDrift.toFixed(0)} ms while drift ran, ${plan.toFixed(0)} ms after (${steps})`);
    }
    console.log(`each click, in order: ${cpu.join("; ")}`);
    console.log(`environments screen, ${ENVIRONMENTS.length} environments: ${envs.join(", ")}`);
    console.log(`apply screen, plan with its SQL: ${plans.join(", ")}`);
    console.log(`RESULT first-graph cold ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)}/${warm2.toFixed(0)} ms, settled ${settled.toFixed(0)}/${settled2.toFixed(0)} ms; ${p95.join(", ")}; environments ${envs.join(", ")}; plan ${plans.join(", ")}`);
  } finally {
    await browser.close();
    await served.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
