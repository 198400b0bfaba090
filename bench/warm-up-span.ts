// How long the app's background warm-up (compile and load every revision file, issue 19 point 7) keeps
// `strata serve` busy after it starts, with no page open: the server's CPU time (from /proc) sampled
// every 50 ms until it stays flat for a second. What matters is how long it overlaps a person's first
// minute (scrolling the graph): the wall time it takes and the share of a core it takes meanwhile.
// Usage: npm run build && npx tsx bench/warm-up-span.ts [REVISIONS]
import fs from "node:fs";
import { freshDir, serve } from "../test/e2e/strata-serve.js";
import { processCpuMs } from "./bench-process.js";
import { generateProject } from "./generate-project.js";

const n = Number(process.argv[2] ?? 5_000);

async function main(): Promise<void> {
  const { dir } = generateProject({ revisions: n, branchEvery: 50, branchLength: 5 });
  const dataDir = freshDir("strata-bench-data-");
  const t0 = Date.now();
  const served = await serve(dir, dataDir);
  try {
    const started = Date.now() - t0;
    const pid = served.pid!;
    let last = processCpuMs(pid);
    let lastChange = Date.now();
    const busyFrom = processCpuMs(pid);
    const from = Date.now();
    while (Date.now() - lastChange < 1000) {
      await new Promise((r) => setTimeout(r, 50));
      const now = processCpuMs(pid);
      if (now > last) [last, lastChange] = [now, Date.now()];
    }
    const wall = lastChange - from;
    const cpu = last - busyFrom;
    console.log(`RESULT ${n} revisions: serve printed its URL after ${started} ms; busy for ${wall} ms more, ${cpu.toFixed(0)} ms of CPU (${((100 * cpu) / Math.max(wall, 1)).toFixed(0)}% of a core), load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`);
  } finally {
    await served.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
