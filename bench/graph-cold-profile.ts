// Where the page's own time goes between navigation and the first drawn graph
// (performance.mark("strata:graph-drawn")), with the server already warm: a JavaScript CPU profile
// of the first load, printed as the functions with the most self time (native calls such as a
// forced layout are counted under the function that forced it), and the renderer's marks.
// Usage: npm run build && npx tsx bench/graph-cold-profile.ts [REVISIONS]   (PROFILE_DUMP=FILE.cpuprofile keeps the profile for DevTools)
import fs from "node:fs";
import path from "node:path";
import { freshDir, launchChromium, serve } from "../test/e2e/strata-serve.js";
import { generateProject } from "./generate-project.js";
async function main() {
  const n = Number(process.argv[2] ?? 10000);
  const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 5 });
  const dataDir = freshDir("strata-bench-data-");
  const served = await serve(dir, dataDir);
  const browser = await launchChromium([]);
  try {
    // The server's warm-up (reading the files, building the graph) is let finish: this profiles the page alone.
    await new Promise((r) => setTimeout(r, 4000));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    await page.goto(served.url, { waitUntil: "commit" });
    await page.waitForFunction(() => performance.getEntriesByName("strata:graph-drawn").length > 0, undefined, { timeout: 120000, polling: 5 });
    const { profile } = await cdp.send("Profiler.stop");
    const marks = await page.evaluate(() => ["strata:project-loaded", "strata:graph-committed", "strata:graph-drawn"].map((m) => `${m} ${performance.getEntriesByName(m)[0]?.startTime.toFixed(0)}`).join(", "));
    console.log(marks);
    const self = new Map<number, number>();
    (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
    const by = new Map<string, number>();
    for (const nd of profile.nodes) { const f = nd.callFrame; const k = `${f.functionName || "(anon)"} ${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`; by.set(k, (by.get(k) ?? 0) + (self.get(nd.id) ?? 0)); }
    console.log([...by].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 1000).toFixed(1).padStart(8)} ${k}`).join("\n"));
    if (process.env.PROFILE_DUMP) fs.writeFileSync(process.env.PROFILE_DUMP, JSON.stringify(profile));
  } finally {
    await browser.close(); await served.stop();
    fs.rmSync(dir, { recursive: true, force: true }); fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
void main();
