// Where the first graph's time goes on a cold start, from Chromium's trace: a fresh server (its
// first read of the project) and a fresh browser, as bench/ui.ts's "cold" figure. Prints the
// page's network requests and, on the renderer's main thread from navigation start to
// strata:graph-drawn, each task over 2 ms with its biggest parts (script compile, script
// evaluation per file, function calls, style, layout, paint, GC) and the time the thread sat idle,
// then the totals by kind. The CPU times are the thread's own (load moves them less than wall time).
// STRATA_RENDERER_DIR=other/dist/renderer serves another build of the page, for a before/after.
// Usage: npm run build && npx tsx bench/graph-cold-trace.ts [REVISIONS] [--warm]
//   --warm also traces a reload of the page (the server warm, the browser's caches too).
//   TRACE_DUMP=PREFIX writes each trace to PREFIX-cold.json (and -warm.json); DevTools' Performance panel opens them.
//   TRACE_READ=FILE prints the breakdown of a trace written so, without running anything.
import fs from "node:fs";
import path from "node:path";
import { launchChromium, serve } from "../test/e2e/strata-serve.js";
import { uiBenchProject } from "./ui-bench-project.js";

interface TraceEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string; readonly data?: Record<string, unknown>; readonly fileName?: string; readonly url?: string; readonly [k: string]: unknown };
}

/** What a trace event's self time counts as. */
function kindOf(e: TraceEvent): string {
  const url = (e.args?.data?.url as string | undefined) ?? e.args?.fileName ?? (e.args?.url as string | undefined) ?? "";
  const file = url ? path.basename(url.split("?")[0]!) : "";
  switch (e.name) {
    case "v8.compile":
    case "V8.CompileCode":
    case "v8.compileModule":
    case "V8.CompileLazy":
    case "V8.ParseFunction":
    case "V8.CompileIgnition":
    case "v8.parseOnBackground":
      return `compile ${file}`.trim();
    case "EvaluateScript":
    case "v8.evaluateModule":
    case "v8.run":
      return `evaluate ${file}`.trim();
    case "FunctionCall":
    case "v8.callFunction":
    case "V8Execute":
    case "FireAnimationFrame":
    case "TimerFire":
    case "EventDispatch":
    case "RunMicrotasks":
    case "v8.runMicrotasks":
      return "script (functions, microtasks)";
    case "MinorGC":
    case "MajorGC":
    case "V8.GC_SCAVENGER":
    case "BlinkGC.AtomicPhase":
      return "GC";
    case "ParseHTML":
      return "parse HTML";
    case "ParseAuthorStyleSheet":
      return "parse CSS";
    case "UpdateLayoutTree":
    case "RecalculateStyles":
      return "style";
    case "Layout":
      return "layout";
    case "PrePaint":
    case "Paint":
    case "Layerize":
    case "UpdateLayer":
    case "Commit":
    case "CompositeLayers":
      return "paint";
    case "ResourceReceivedData":
    case "ResourceReceiveResponse":
    case "ResourceFinish":
    case "ResourceSendRequest":
      return "network bookkeeping";
    default:
      if (/^V8\.(Parse|PreParse|Compile|CollectSourcePositions)|FlushInstructionCache/.test(e.name)) return "compile";
      if (/^V8\.GC|GC$/.test(e.name)) return "GC";
      if (/^V8\.|^v8\./.test(e.name)) return "script (functions, microtasks)";
      if (/performLayout|Layout|InlineNode|Shape/.test(e.name)) return "layout";
      if (/recalcStyle|StyleAndLayoutTree|Style/.test(e.name)) return "style";
      if (/Paint|Raster|Layerize|Commit/.test(e.name)) return "paint";
      return "other";
  }
}

const WANTED = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.execute", "disabled-by-default-v8.compile", "blink.user_timing", "toplevel", "loading", "blink", "disabled-by-default-v8.gc"];

/** Prints the breakdown of one traced load. */
function report(label: string, raw: Buffer): void {
  const events = (JSON.parse(raw.toString("utf8")) as { traceEvents: TraceEvent[] }).traceEvents;
  const marks = (name: string): TraceEvent[] => events.filter((e) => e.name === name && e.cat.includes("user_timing"));
  const drawn = marks("strata:graph-drawn")[0];
  if (!drawn) throw new Error(`${label}: no strata:graph-drawn mark in the trace`);
  const pid = drawn.pid;
  const names = new Map<number, string>();
  for (const e of events) if (e.ph === "M" && e.name === "thread_name" && e.pid === pid) names.set(e.tid, e.args?.name ?? "");
  const mainTid = [...names].find(([, n]) => n === "CrRendererMain")?.[0] ?? drawn.tid;
  // navigationStart of the page's document (the last one before the mark: the about:blank one comes first).
  const navStart = events.filter((e) => e.name === "navigationStart" && e.pid === pid && e.ts <= drawn.ts).pop()?.ts ?? events.find((e) => e.name === "TracingStartedInBrowser")?.ts ?? 0;
  const at = (ts: number): string => ((ts - navStart) / 1000).toFixed(0).padStart(5);
  const end = drawn.ts;
  console.log(`\n${label}: graph drawn at ${at(end)} ms after navigation start; marks: ${["strata:project-loaded", "strata:graph-committed"].map((m) => `${m} ${at(marks(m)[0]?.ts ?? NaN)}`).join(", ")}`);
  // Requests, from the browser's side: sent and finished.
  const sent = new Map<string, { url: string; ts: number }>();
  for (const e of events) if (e.name === "ResourceSendRequest") sent.set(String(e.args?.data?.requestId), { url: String(e.args?.data?.url), ts: e.ts });
  for (const e of events) {
    if (e.name !== "ResourceFinish") continue;
    const s = sent.get(String(e.args?.data?.requestId));
    if (!s || s.ts < navStart) continue;
    const finish = Number(e.args?.data?.finishTime) * 1e6 || e.ts;
    console.log(`  request ${path.basename(s.url.split("?")[0]!) || "/"}: ${at(s.ts)} → ${at(finish)} ms, ${((Number(e.args?.data?.encodedDataLength) || 0) / 1000).toFixed(0)} kB`);
  }
  const mainEvents = events.filter((e) => e.ph === "X" && e.pid === pid && e.tid === mainTid && e.dur !== undefined && e.ts + e.dur >= navStart && e.ts <= end).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // Top-level tasks: not inside another one. Self time: an event's time less that of the events nested in it.
  const tasks: { e: TraceEvent; parts: Map<string, number> }[] = [];
  const wallByKind = new Map<string, number>();
  const cpuByKind = new Map<string, number>();
  const stack: { e: TraceEvent; child: number; childCpu: number; parts: Map<string, number> }[] = [];
  const close = (upTo: number): void => {
    while (stack.length > 0 && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= upTo) {
      const { e, child, childCpu, parts } = stack.pop()!;
      const self = Math.max(0, e.dur! - child) / 1000;
      const selfCpu = Math.max(0, (e.tdur ?? 0) - childCpu) / 1000;
      const kind = kindOf(e);
      const task = stack[0]?.parts ?? parts;
      task.set(kind, (task.get(kind) ?? 0) + selfCpu);
      wallByKind.set(kind, (wallByKind.get(kind) ?? 0) + self);
      cpuByKind.set(kind, (cpuByKind.get(kind) ?? 0) + selfCpu);
      if (stack.length > 0) {
        stack[stack.length - 1]!.child += e.dur!;
        stack[stack.length - 1]!.childCpu += e.tdur ?? 0;
      }
    }
  };
  for (const e of mainEvents) {
    close(e.ts);
    const entry = { e, child: 0, childCpu: 0, parts: new Map<string, number>() };
    if (stack.length === 0) tasks.push(entry);
    stack.push(entry);
  }
  close(Infinity);
  let busy = 0;
  let cpu = 0;
  for (const { e, parts } of tasks) {
    const from = Math.max(e.ts, navStart);
    const to = Math.min(e.ts + e.dur!, end);
    busy += Math.max(0, to - from) / 1000;
    cpu += (e.tdur ?? 0) / 1000;
    if ((e.tdur ?? 0) < 2000) continue;
    const top = [...parts].filter(([, ms]) => ms >= 0.5).sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(`  task ${at(e.ts)} ms, ${(e.dur! / 1000).toFixed(1)} ms wall, ${((e.tdur ?? NaN) / 1000).toFixed(1)} ms CPU: ${top.map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(", ")}`);
  }
  const window = (end - navStart) / 1000;
  console.log(`  main thread from navigation start to the drawn graph: ${window.toFixed(0)} ms, in tasks ${busy.toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms (the rest: waiting, or another process on the core)`);
  const list = (m: Map<string, number>): string => [...m].filter(([, ms]) => ms >= 1).sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(", ");
  console.log(`  main thread CPU by kind (self ms): ${list(cpuByKind)}`);
  console.log(`  main thread wall by kind (self ms): ${list(wallByKind)}`);
  // Off the main thread: script streamed and compiled in the background (top-level events, CPU).
  const background = new Map<string, number>();
  const ends = new Map<number, number>();
  for (const e of events) {
    if (e.ph !== "X" || e.pid !== pid || e.tid === mainTid || e.ts < navStart || e.ts > end || !/compile|parse|Compile|Parse/.test(e.name)) continue;
    if (e.ts < (ends.get(e.tid) ?? -1)) continue;
    ends.set(e.tid, e.ts + e.dur!);
    const k = `${(names.get(e.tid) ?? "thread").replace(/\d+$/, "")} ${e.name}`;
    background.set(k, (background.get(k) ?? 0) + (e.tdur ?? e.dur!) / 1000);
  }
  if (background.size > 0) console.log(`  off the main thread: ${[...background].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(", ")}`);
}

async function main(): Promise<void> {
  if (process.env.TRACE_READ) return report(process.env.TRACE_READ, fs.readFileSync(process.env.TRACE_READ));
  const n = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 10_000);
  const { dir, dataDir } = uiBenchProject(n);
  const served = await serve(dir, dataDir);
  const browser = await launchChromium(["--disable-frame-rate-limit", "--disable-gpu-vsync"]);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const load = async (label: string): Promise<void> => {
      await browser.startTracing(page, { categories: WANTED });
      await page.goto(served.url, { waitUntil: "commit" });
      await page.waitForFunction(() => performance.getEntriesByName("strata:graph-drawn").length > 0, undefined, { timeout: 120_000, polling: 5 });
      const raw = await browser.stopTracing();
      if (process.env.TRACE_DUMP) fs.writeFileSync(`${process.env.TRACE_DUMP}-${label.split(" ")[0]}.json`, raw);
      report(`${label} (load ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`, raw);
    };
    await load("cold (server's first read, fresh browser)");
    if (process.argv.includes("--warm")) await load("warm (page reload)");
  } finally {
    await Promise.all([browser.close(), served.stop()]);
    for (const d of [dir, dataDir]) fs.rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
