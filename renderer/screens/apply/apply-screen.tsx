import { useEffect, useState } from "react";
import type { MigrationPlanDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { ErrorBox, Loading } from "../../components/load-states.js";
import { PlanView } from "./plan-view.js";
import { applyRunEvent, mergeRunDto, startProgress, type RunProgress } from "./run-progress.js";
import { RunView } from "./run-view.js";
import { UnresolvedForEnvironment } from "./unresolved-for-environment.js";

type PlanState = { readonly state: "idle" } | { readonly state: "loading" } | { readonly state: "ok"; readonly plan: MigrationPlanDto } | { readonly state: "error"; readonly error: ErrorShape };

/**
 * Apply / roll back: choose an environment, a direction and a target (or arrive from a node),
 * see the plan and its SQL, confirm a protected environment by typing its name, watch the run.
 */
export function ApplyScreen(props: { readonly environment?: string; readonly target?: string; readonly command?: "upgrade" | "downgrade" }) {
  const client = useClient();
  const { summary, activeEnvironment, refresh } = useProject();
  const [environment, setEnvironment] = useState(props.environment ?? activeEnvironment ?? summary.environments[0]?.name ?? "");
  const [command, setCommand] = useState<"upgrade" | "downgrade">(props.command ?? "upgrade");
  const [target, setTarget] = useState(props.target ?? (props.command === "downgrade" ? "-1" : "heads"));
  const [plan, setPlan] = useState<PlanState>({ state: "idle" });
  const [confirm, setConfirm] = useState("");
  const [allowEdited, setAllowEdited] = useState(false);
  const [unresolvedCount, setUnresolvedCount] = useState(0);
  const [run, setRun] = useState<RunProgress | null>(null);
  const [runError, setRunError] = useState<ErrorShape | null>(null);

  useEffect(() => {
    if (props.environment) setEnvironment(props.environment);
    if (props.command) setCommand(props.command);
    if (props.target) setTarget(props.target);
  }, [props.environment, props.command, props.target]);

  const showPlanFor = (environment: string, command: "upgrade" | "downgrade", target: string): void => {
    if (!environment || !target.trim()) return;
    setPlan({ state: "loading" });
    setRun(null);
    setRunError(null);
    setConfirm("");
    setAllowEdited(false);
    client.planMigration({ environment, command, target: target.trim() }).then(
      (p) => setPlan({ state: "ok", plan: p }),
      (e: unknown) => setPlan({ state: "error", error: asErrorShape(e) }),
    );
  };
  const showPlan = (): void => showPlanFor(environment, command, target);
  // A route with a target (a clicked node) shows its plan at once.
  useEffect(() => {
    if (props.target) showPlanFor(props.environment ?? environment, props.command ?? command, props.target);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.environment, props.command, props.target]);

  const runId = run?.runId;
  const running = run !== null && (run.state === "queued" || run.state === "running");
  useEffect(() => {
    if (!runId) return;
    const off = client.onEvent((e) => {
      if (e.type !== "project-changed") setRun((p) => (p ? applyRunEvent(p, e) : p));
    });
    return off;
  }, [client, runId]);
  // The event stream may drop or connect late: the stored run is the truth once it has ended.
  useEffect(() => {
    if (!runId || !running) return;
    const t = setInterval(() => {
      client.getRun({ runId }).then((r) => setRun((p) => (p ? mergeRunDto(p, r) : p)), () => undefined);
    }, 1000);
    return () => clearInterval(t);
  }, [client, runId, running]);
  const ended = run?.state === "succeeded" || run?.state === "failed";
  // Events sent before the subscription was made are in the stored run: take its full log at the end.
  useEffect(() => {
    if (!ended || !runId) return;
    refresh();
    client.getRun({ runId }).then((r) => setRun((p) => (p ? mergeRunDto(p, r) : p)), () => undefined);
  }, [ended, runId, client, refresh]);

  const env = summary.environments.find((e) => e.name === environment);
  const okPlan = plan.state === "ok" ? plan.plan : null;
  const needsName = okPlan?.protected ?? env?.protected ?? false;
  // The name to type: the environment's own, or the protected one's whose database it reaches (issue 14).
  const confirmAs = okPlan?.confirmationName ?? env?.confirmationName ?? environment;
  // Edited (or removed) applied files stop a run, as in the CLI, unless the person says the edits are intended.
  const refusal = okPlan?.refusal ?? null;
  const confirmed = (!needsName || confirm === confirmAs) && (!refusal || (refusal.allowEdited && allowEdited));
  const start = (): void => {
    if (!okPlan || !confirmed) return;
    setRunError(null);
    client
      .runMigration({ environment, command, target: okPlan.target, ...(needsName ? { confirmName: confirm } : {}), ...(refusal && allowEdited ? { allowEdited: true } : {}) })
      .then(
        (t) => setRun(startProgress(t.runId, okPlan.steps)),
        (e: unknown) => setRunError(asErrorShape(e)),
      );
  };
  const revisionIds = summary.revisions.slice(0, 500).map((r) => r.id);

  return (
    <section className="screen" aria-labelledby="apply-title">
      <div className="screen-header">
        <h1 id="apply-title">Apply / roll back</h1>
      </div>
      <form
        className="toolbar panel"
        onSubmit={(e) => {
          e.preventDefault();
          showPlan();
        }}
      >
        <label className="field">
          Environment
          <select value={environment} onChange={(e) => { setEnvironment(e.target.value); setPlan({ state: "idle" }); setConfirm(""); }} aria-label="Environment">
            {summary.environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}{e.protected ? " (protected)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Direction
          <select value={command} onChange={(e) => { setCommand(e.target.value === "downgrade" ? "downgrade" : "upgrade"); setPlan({ state: "idle" }); }} aria-label="Direction">
            <option value="upgrade">Upgrade</option>
            <option value="downgrade">Roll back (downgrade)</option>
          </select>
        </label>
        <label className="field" style={{ flex: 1, minWidth: 220 }}>
          Target (id, prefix, head, heads, base, -1, label@head…)
          <input type="text" list="apply-targets" value={target} onChange={(e) => { setTarget(e.target.value); setPlan({ state: "idle" }); }} aria-label="Target" className="mono" />
          <datalist id="apply-targets">
            {["heads", "head", "base", "+1", "-1", ...revisionIds].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <button type="submit" className="btn" disabled={!environment || !target.trim() || plan.state === "loading"} style={{ alignSelf: "flex-end" }}>
          Show plan
        </button>
      </form>
      {/* A revision left half applied here refuses every run: the same choice as on the environments screen. */}
      <UnresolvedForEnvironment key={`${environment}:${run?.state ?? ""}`} environment={environment} protected={env?.protected ?? false} onResolved={() => { refresh(); showPlan(); }} onCount={setUnresolvedCount} />
      {plan.state === "idle" && <div className="state-box">Pick an environment and a target, or click a node in the graph, then “Show plan”. Nothing runs before you confirm.</div>}
      {plan.state === "loading" && <Loading what="the plan" />}
      {plan.state === "error" && <ErrorBox error={plan.error} onRetry={showPlan} />}
      {okPlan && (
        <>
          <PlanView plan={okPlan} />
          {okPlan.steps.length > 0 && !run && (
            <div className={needsName ? "confirm-protected" : "toolbar"}>
              {refusal && (
                <div className="notice warn" role="note" data-testid="edited-refusal" style={{ display: "flex", flexDirection: "column", gap: 6 }}>
                  <strong>This run is refused: an applied revision file no longer matches what ran.</strong>
                  <div>{refusal.message}</div>
                  {refusal.allowEdited && (
                    <label style={{ fontWeight: 600 }}>
                      <input type="checkbox" checked={allowEdited} onChange={(e) => setAllowEdited(e.target.checked)} aria-label="Run anyway: the edits are intended" /> Run anyway: the edits are intended (--allow-edited)
                    </label>
                  )}
                </div>
              )}
              {needsName && (
                <label className="field">
                  <span>
                    {confirmAs === environment ? (
                      <><strong>{environment}</strong> is protected. Type its name to run this plan.</>
                    ) : (
                      <><strong>{environment}</strong> reaches the database of protected <strong>{confirmAs}</strong>. Type “{confirmAs}” to run this plan.</>
                    )}
                  </span>
                  <input type="text" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-label="Type the environment name to confirm" placeholder={`type ${confirmAs}`} autoComplete="off" style={{ maxWidth: 320 }} />
                </label>
              )}
              <div className="toolbar">
                <button type="button" className={`btn ${okPlan.command === "downgrade" || needsName ? "danger" : "primary"}`} disabled={!confirmed} onClick={start} data-testid="run-button">
                  {okPlan.command === "upgrade" ? "Upgrade" : "Roll back"} {environment} ({okPlan.steps.length} step{okPlan.steps.length === 1 ? "" : "s"})
                </button>
                {needsName && confirm !== confirmAs && <span className="muted" data-testid="confirm-hint">Type “{confirmAs}” to enable.</span>}
                {unresolvedCount > 0 && (
                  <span className="muted" data-testid="unresolved-hint">
                    A run now is refused: first say above what the interrupted revision did.
                  </span>
                )}
                {refusal && !allowEdited && (
                  <span className="muted" data-testid="refusal-hint">
                    {needsName && confirm !== environment ? "Also restore" : "Restore"} the file{refusal.allowEdited ? ", or tick “Run anyway”" : ""}, to enable.
                  </span>
                )}
              </div>
            </div>
          )}
        </>
      )}
      {runError && <ErrorBox error={runError} />}
      {run && <RunView progress={run} />}
      {run && ended && (
        <div className="toolbar">
          <a className="btn" href={`#/graph`}>See the graph</a>
          <a className="btn" href={`#/history?environment=${encodeURIComponent(environment)}`}>History of {environment}</a>
          <button type="button" className="btn" onClick={showPlan}>Plan again</button>
        </div>
      )}
    </section>
  );
}
