// Where a frame of the graph's scroll goes, in CPU time (which moves less with the machine's load
// than bench/ui.ts's wall-clock frame times). Opens a generated project as bench/ui.ts does, waits
// for the environments to be read, then scrolls the graph top to bottom at 20 and 5 rows per frame
// under Chromium's trace and prints, per frame, the renderer main thread's CPU time split into
// script, style, layout, paint and other, and the CPU time of the compositor and raster threads.
// Usage: npm run build && npx tsx bench/graph-scroll-trace.ts [REVISIONS] [--profile]
//   --profile also prints the JavaScript functions with the most self time during the scroll.
//   TRACE_DUMP=PREFIX writes each trace to PREFIX-ROWS.json (DevTools' Performance panel opens it);
//   TRACE_CATEGORIES=a,b adds trace categories (e.g. disabled-by-default-blink.invalidation);
//   TRACE_CSS='...' adds a style sheet to the page before the scroll, to try a change without a build.
//   TRACE_ROWS=20 scrolls at that many rows per frame only (comma-separated; default 20,5).
//   TRACE_CATEGORIES=benchmark,cc also prints the compositor's frame stages (PipelineReporter):
//   mean and p95 of each, so a slow frame's time can be put on main-thread work, raster before
//   activation or the display compositor's draw.
import fs from "node:fs";
import path from "node:path";
import { launchChromium, serve } from "../test/e2e/strata-serve.js";
import { uiBenchProject } from "./ui-bench-project.js";

/** One complete ("X") trace event: dur and tdur (thread CPU time) in microseconds. */
interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
  readonly id?: string;
  readonly id2?: { readonly local?: string; readonly global?: string };
}

// Self time of these trace events is counted under the category; anything else on the main thread is "other".
const CATEGORY: Record<string, "script" | "style" | "layout" | "paint"> = {
  FunctionCall: "script", EvaluateScript: "script", EventDispatch: "script", FireAnimationFrame: "script", TimerFire: "script",
  "v8.callFunction": "script", "v8.run": "script", V8Execute: "script", MinorGC: "script", MajorGC: "script", "V8.GC_SCAVENGER": "script",
  "V8.GCScavenger": "script", "V8.GC_MC_BACKGROUND_MARKING": "script", "v8.compile": "script", "V8.CompileCode": "script",
  UpdateLayoutTree: "style", RecalculateStyles: "style", ScheduleStyleRecalculation: "style",
  Layout: "layout", UpdateLayerTree: "layout", "LocalFrameView::RunPostLifecycleSteps": "layout", HitTest: "layout",
  PrePaint: "paint", Paint: "paint", Layerize: "paint", PaintImage: "paint", UpdateLayer: "paint", "Commit": "paint", CompositeLayers: "paint",
};

// Scrolls `rows` rows per frame from the top to the bottom, as bench/ui.ts does (each step right
// after a requestAnimationFrame callback; the time between callbacks is a frame). A string, as there.
const scroll = (rows: number): string => `(async () => {
  const el = document.querySelector("[data-testid=graph]");
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  el.scrollTop = 0;
  await frame();
  const frames = [];
  // DOM changes made while scrolling: nodes added and removed, attributes and texts set (counts, not times).
  const dom = { added: 0, removed: 0, attributes: 0, texts: 0 };
  const observer = new MutationObserver((list) => {
    for (const m of list) {
      if (m.type === "childList") { dom.added += m.addedNodes.length; dom.removed += m.removedNodes.length; }
      else if (m.type === "attributes") dom.attributes++;
      else dom.texts++;
    }
  });
  observer.observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
  for (let last = await frame(); el.scrollTop + el.clientHeight < el.scrollHeight - 1; ) {
    el.scrollTop += ${rows} * 30;
    const t = await frame();
    frames.push(t - last);
    last = t;
  }
  observer.disconnect();
  return { frames, dom };
})()`;

const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

/** CPU milliseconds per frame: the main thread by category (self time, nested events not counted twice), other threads in total. */
function cpuPerFrame(events: readonly TraceEvent[], frames: number): Record<string, number> {
  const threadName = new Map<string, string>();
  for (const e of events) if (e.ph === "M" && e.name === "thread_name" && e.args?.name) threadName.set(`${e.pid}:${e.tid}`, e.args.name);
  const complete = events.filter((e) => e.ph === "X" && e.dur !== undefined && e.tdur !== undefined);
  // The page's main thread is the renderer main thread that ran the animation frames.
  const counts = new Map<string, number>();
  for (const e of complete) if (e.name === "FireAnimationFrame") counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mainPid = main?.split(":")[0];
  const out: Record<string, number> = { script: 0, style: 0, layout: 0, paint: 0, other: 0 };
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of complete) {
    const key = `${e.pid}:${e.tid}`;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    if (key === main) {
      // Self time: an event's CPU time less that of the events nested in it.
      const stack: { e: TraceEvent; child: number }[] = [];
      const close = (upTo: number): void => {
        while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= upTo) {
          const { e, child } = stack.pop()!;
          const category = CATEGORY[e.name] ?? "other";
          out[category] = (out[category] ?? 0) + (e.tdur! - child) / 1000;
          if (stack.length > 0) stack[stack.length - 1]!.child += e.tdur!;
        }
      };
      for (const e of list) {
        close(e.ts);
        stack.push({ e, child: 0 });
      }
      close(Infinity);
    } else {
      // Top-level events only: nested ones are inside their parent's CPU time.
      let end = -1;
      let cpu = 0;
      for (const e of list) {
        if (e.ts < end) continue;
        end = e.ts + e.dur!;
        cpu += e.tdur! / 1000;
      }
      const name = (threadName.get(key) ?? "thread").replace(/\d+$/, "");
      const label = `${key.split(":")[0] === mainPid ? "renderer" : "other process"} ${name}`;
      out[label] = (out[label] ?? 0) + cpu;
    }
  }
  out["raster tasks"] = complete.filter((e) => e.name === "RasterTask").length;
  for (const k of Object.keys(out)) out[k] = out[k]! / frames;
  return out;
}

/**
 * The compositor's frame stages (PipelineReporter async events and the stages nested in them)
 * of the process that ran the animation frames: count, mean and p95 of each, in ms.
 */
function pipelineStages(events: readonly TraceEvent[]): string[] {
  const counts = new Map<number, number>();
  for (const e of events) if (e.name === "FireAnimationFrame") counts.set(e.pid, (counts.get(e.pid) ?? 0) + 1);
  const pid = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const open = new Map<string, number>();
  const spans = new Map<string, number[]>();
  for (const e of events) {
    if (e.pid !== pid || (e.ph !== "b" && e.ph !== "e")) continue;
    const key = `${e.id ?? e.id2?.local ?? e.id2?.global}:${e.name}`;
    if (e.ph === "b") open.set(key, e.ts);
    else {
      const from = open.get(key);
      if (from === undefined) continue;
      open.delete(key);
      const list = spans.get(e.name) ?? [];
      list.push((e.ts - from) / 1000);
      spans.set(e.name, list);
    }
  }
  const frames = spans.get("PipelineReporter");
  if (!frames) return [];
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...spans]
    .filter(([, xs]) => xs.length >= frames.length / 20)
    .sort((a, b) => mean(b[1]) * b[1].length - mean(a[1]) * a[1].length)
    .slice(0, 24)
    .map(([name, xs]) => `    ${name}: ${xs.length}x, mean ${mean(xs).toFixed(2)} ms, p95 ${quantile(xs, 0.95).toFixed(2)} ms`);
}

/** The functions with the most self time in a CPU profile (Profiler.stop's result). */
function hotFunctions(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[]; samples?: number[]; timeDeltas?: number[] }): string[] {
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const byFunction = new Map<string, number>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
}

async function main(): Promise<void> {
  const n = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 10_000);
  const profile = process.argv.includes("--profile");
  const { dir, dataDir } = uiBenchProject(n);
  const served = await serve(dir, dataDir);
  const browser = await launchChromium(["--disable-frame-rate-limit", "--disable-gpu-vsync"]);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(served.url);
    await page.locator("[data-testid=graph] [data-revision]").first().waitFor({ timeout: 120_000 });
    await page.getByText("reading environments").first().waitFor({ state: "detached", timeout: 300_000 });
    await page.locator("[data-testid=graph]").focus();
    const cdp = await page.context().newCDPSession(page);
    // Style sheets to try, each in turn on the same page (TRACE_CSS_LIST, a JSON array; "" is the page as built), twice round.
    const sheets: string[] = process.env.TRACE_CSS_LIST ? (JSON.parse(process.env.TRACE_CSS_LIST) as string[]) : [process.env.TRACE_CSS ?? ""];
    const passes = process.env.TRACE_CSS_LIST ? [...sheets, ...sheets] : sheets;
    for (const [sheet, rows] of passes.flatMap((css) => (process.env.TRACE_ROWS ?? "20,5").split(",").map((r) => [css, Number(r)] as const))) {
      await page.evaluate(`(() => { document.getElementById("trace-css")?.remove(); const s = document.createElement("style"); s.id = "trace-css"; s.textContent = ${JSON.stringify(sheet)}; document.head.append(s); })()`);
      if (sheet) console.log(`with ${sheet}:`);
      await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing", "toplevel", ...(process.env.TRACE_CATEGORIES ?? "").split(",").filter(Boolean)] });
      if (profile) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
        await cdp.send("Profiler.start");
      }
      const { frames, dom } = (await page.evaluate(scroll(rows))) as { frames: number[]; dom: Record<"added" | "removed" | "attributes" | "texts", number> };
      const cpuProfile = profile ? (await cdp.send("Profiler.stop")).profile : null;
      const raw = await browser.stopTracing();
      if (process.env.TRACE_DUMP) fs.writeFileSync(`${process.env.TRACE_DUMP}-${rows}.json`, raw);
      const trace = JSON.parse(raw.toString("utf8")) as { traceEvents: TraceEvent[] };
      const cpu = cpuPerFrame(trace.traceEvents, frames.length);
      const mainCpu = cpu.script! + cpu.style! + cpu.layout! + cpu.paint! + cpu.other!;
      console.log(
        `${n} revisions, ${rows} rows per frame: ${frames.length} frames, wall p50 ${quantile(frames, 0.5).toFixed(1)} ms, p95 ${quantile(frames, 0.95).toFixed(1)} ms; ` +
          `main thread CPU per frame ${mainCpu.toFixed(2)} ms (script ${cpu.script!.toFixed(2)}, style ${cpu.style!.toFixed(2)}, layout ${cpu.layout!.toFixed(2)}, paint ${cpu.paint!.toFixed(2)}, other ${cpu.other!.toFixed(2)})`,
      );
      const perRow = (x: number): string => (x / (frames.length * rows)).toFixed(2);
      console.log(`  DOM changes per row scrolled: ${perRow(dom.added)} nodes added, ${perRow(dom.removed)} removed, ${perRow(dom.attributes)} attributes set, ${perRow(dom.texts)} texts set`);
      const threads = Object.entries(cpu).filter(([k, v]) => !["script", "style", "layout", "paint", "other"].includes(k) && v >= 0.05);
      console.log(`  other threads, CPU ms per frame: ${threads.sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}`);
      const stages = pipelineStages(trace.traceEvents);
      if (stages.length > 0) console.log(`  compositor frame stages (PipelineReporter, wall time):\n${stages.join("\n")}`);
      if (cpuProfile) console.log(`  JavaScript self time over the whole scroll:\n${hotFunctions(cpuProfile).join("\n")}`);
    }
  } finally {
    await Promise.all([browser.close(), served.stop()]);
    for (const d of [dir, dataDir]) fs.rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
