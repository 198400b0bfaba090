// Where the page's time goes on the first click on the apply screen (issue 19 point 7: a 2,000-step
// plan with its SQL under 1 s), clicked right after the environments screen as bench/ui.ts does:
// a JavaScript CPU profile of the page from the click to the steps list and the SQL pane drawn,
// printed as the page's CPU time (samples not idle), the time per script, the functions with the
// most self time (a forced layout is counted under the function that forced it), and when the page
// fetched the apply screen's and CodeMirror's scripts and sent planMigration.
// Usage: npm run build && npx tsx bench/plan-click-profile.ts [REVISIONS] [RUNS]   (PROFILE_DUMP=FILE.cpuprofile keeps the last profile for DevTools)
import fs from "node:fs";
import path from "node:path";
import { launchChromium, serve } from "../test/e2e/strata-serve.js";
import { UI_BENCH_ENVIRONMENTS, UI_BENCH_PLAN_STEPS, uiBenchProject } from "./ui-bench-project.js";

const n = Number(process.argv[2] ?? 5_000);
const runs = Number(process.argv[3] ?? 1);
const ENVIRONMENTS = UI_BENCH_ENVIRONMENTS;
const PLAN_STEPS = UI_BENCH_PLAN_STEPS;

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number } }[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

async function main(): Promise<void> {
  const { dir, dataDir } = uiBenchProject(n);
  const served = await serve(dir, dataDir);
  const browser = await launchChromium([]);
  try {
    for (let run = 0; run < runs; run++) {
      // A fresh page each run: the first visit to the apply screen is the one measured.
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(served.url, { waitUntil: "commit" });
      await page.waitForFunction(() => performance.getEntriesByName("strata:graph-drawn").length > 0, undefined, { timeout: 120_000, polling: 5 });
      await page.evaluate(`location.hash = "#/environments"`);
      await page.locator("[data-testid=matrix] [data-env-row]").nth(ENVIRONMENTS.length - 1).waitFor({ timeout: 120_000 });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
      // The profile's clock is not the page's: its start is taken as this instant (a few ms off at most).
      const profiledFrom = (await page.evaluate("performance.now()")) as number;
      const t0 = (await page.evaluate(`(() => { const t = performance.now(); location.hash = "#/apply?environment=qa&command=upgrade&target=heads"; return t; })()`)) as number;
      await page.locator('[data-testid="code-plan SQL"] .cm-content').first().waitFor({ timeout: 120_000 });
      const t1 = (await page.evaluate("performance.now()")) as number;
      const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: CpuProfile };
      await cdp.detach();
      const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      const res = (await page.evaluate(`(() => performance.getEntriesByType("resource").filter((e) => e.startTime >= ${t0 - 60_000}).map((e) => ({ name: e.name.split("/").pop().split("?")[0], start: e.startTime - ${t0}, end: e.responseEnd - ${t0}, bytes: e.encodedBodySize })))()`)) as { name: string; start: number; end: number; bytes: number }[];
      const self = new Map<number, number>();
      (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
      const byFn = new Map<string, number>();
      const byUrl = new Map<string, number>();
      let idle = 0;
      let total = 0;
      // CPU spent after the plan's answer was in: drawing the steps and the SQL.
      const answered = res.find((r) => r.name === "planMigration" && r.start >= 0)?.end ?? NaN;
      let afterAnswer = 0;
      let at = profiledFrom - t0;
      (profile.samples ?? []).forEach((id, i) => {
        at += (profile.timeDeltas?.[i] ?? 0) / 1000;
        if (at >= answered && profile.nodes.find((nd) => nd.id === id)?.callFrame.functionName !== "(idle)") afterAnswer += profile.timeDeltas?.[i] ?? 0;
      });
      for (const nd of profile.nodes) {
        const f = nd.callFrame;
        const us = self.get(nd.id) ?? 0;
        total += us;
        if (f.functionName === "(idle)") {
          idle += us;
          continue;
        }
        const file = path.basename(f.url) || f.functionName;
        byUrl.set(file, (byUrl.get(file) ?? 0) + us);
        const k = `${f.functionName || "(anonymous)"} ${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
        byFn.set(k, (byFn.get(k) ?? 0) + us);
      }
      const ms = (us: number): string => (us / 1000).toFixed(0);
      console.log(`run ${run + 1}: click to plan drawn ${(t1 - t0).toFixed(0)} ms wall, load ${load}; page CPU ${ms(total - idle)} ms of ${ms(total)} ms profiled, ${ms(afterAnswer)} ms of it after the plan's answer (in at +${answered.toFixed(0)} ms, drawn ${(t1 - t0 - answered).toFixed(0)} ms later)`);
      for (const r of res.filter((r) => r.end >= 0)) console.log(`  fetched ${r.name} +${r.start.toFixed(0)}→+${r.end.toFixed(0)} ms (${(r.bytes / 1e3).toFixed(0)} kB)`);
      console.log("  CPU per script: " + [...byUrl].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${ms(v)} ms`).join(", "));
      console.log([...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${ms(v).padStart(6)} ms ${k}`).join("\n"));
      if (process.env.PROFILE_DUMP) fs.writeFileSync(process.env.PROFILE_DUMP, JSON.stringify(profile));
      await page.close();
    }
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
