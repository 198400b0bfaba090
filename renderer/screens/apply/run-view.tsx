import { useEffect, useRef } from "react";
import { appLine, appWords } from "../../components/recovery-words.js";
import { VirtualStepList } from "../../components/virtual-step-list.js";
import type { RunProgress } from "./run-progress.js";
import { shortRevision } from "../../components/revision-id.js";

/** A run as it happens: a progress bar, each step's state, the live log, and how it ended. */
export function RunView({ progress }: { readonly progress: RunProgress }) {
  const logRef = useRef<HTMLPreElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  // The run starts below the plan: bring it, and later its result, into view.
  useEffect(() => {
    panelRef.current?.scrollIntoView({ block: "end" });
  }, [progress.state]);
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [progress.log.length]);
  const total = progress.total ?? progress.steps.length;
  const pct = total === 0 ? 100 : Math.round((progress.done / total) * 100);
  return (
    <div className="panel" ref={panelRef} data-testid="run" data-run-state={progress.state} style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <h2>
        Run{" "}
        <span className={`tag ${progress.state === "succeeded" ? "ok" : progress.state === "failed" ? "bad" : "warn"}`} data-testid="run-state">
          {progress.state}
        </span>
      </h2>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div style={{ width: `${pct}%` }} />
      </div>
      {progress.lockHolder && progress.state === "queued" && <div className="notice warn">Waiting for the lock held by {progress.lockHolder}…</div>}
      <VirtualStepList
        items={progress.steps}
        itemKey={(s) => `${s.revision}-${s.direction}`}
        rowClass={(s) => s.status}
        renderRow={(s) => (
          <>
            <span style={{ width: 16 }}>{s.status === "done" ? "✓" : s.status === "failed" ? "✗" : s.status === "running" ? <span className="spinner" /> : "·"}</span>
            <code>{shortRevision(s.revision)}</code>
            <span>{s.message}</span>
            {s.durationMs !== null && <span className="faint">{s.durationMs} ms</span>}
          </>
        )}
      />
      <pre className="log" ref={logRef} aria-label="Run log" aria-live="polite" data-testid="run-log">
        {progress.log.length === 0 ? "…" : progress.log.map((l) => `${l.at.slice(11, 19)} ${l.level === "info" ? "" : l.level.toUpperCase() + " "}${appLine(l.line, progress.error)}`).join("\n")}
      </pre>
      {progress.state === "succeeded" && progress.result && (
        <div className="notice ok" role="status" data-testid="run-result">
          Done: {progress.result.steps.length} step{progress.result.steps.length === 1 ? "" : "s"}. {progress.result.environment} now at{" "}
          <code>{progress.result.heads.length === 0 ? "(empty)" : progress.result.heads.map((h) => shortRevision(h)).join(", ")}</code>.
        </div>
      )}
      {progress.state === "failed" && progress.error && (
        <div className="notice error" role="alert" data-testid="run-error">
          <div>{appWords(progress.error).message}</div>
          <div className="faint mono">{progress.error.code}</div>
        </div>
      )}
    </div>
  );
}
