import { useCallback, useEffect, useRef, useState } from "react";
import type { MigrateCommandDto, MigrationPlanDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { useClient } from "../../api/client-context.js";
import { replaceRoute } from "../../app/navigate.js";
import { useProject } from "../../app/project-context.js";
import { AcceptEditedFile } from "../../components/accept-edited-file.js";
import { preloadCodeView } from "../../components/code-view.js";
import { ErrorBox, Loading } from "../../components/load-states.js";
import { loadedData } from "../../hooks/use-load.js";
import { acknowledgementText, confirmedPlanOf, samePlan } from "./plan-verdict.js";
import { PlanView } from "./plan-view.js";
import { RunConfirmation } from "./run-confirmation.js";
import { applyRunEvent, loseRunWithEngine, mergeRunDto, startProgress, type RunProgress } from "./run-progress.js";
import { RunView } from "./run-view.js";
import { defaultTarget, relativeTargets } from "./target-suggestions.js";
import { UnresolvedForEnvironment } from "./unresolved-for-environment.js";

type PlanState =
  | { readonly state: "idle" }
  | { readonly state: "loading" }
  | { readonly state: "ok"; readonly plan: MigrationPlanDto; readonly refreshing: boolean }
  | { readonly state: "error"; readonly error: ErrorShape };

/** The form, all of which the address holds (issue 14: a reload or a new tab plans the same run). */
interface ApplyForm {
  readonly environment: string;
  readonly command: MigrateCommandDto;
  readonly target: string;
  readonly singleTransaction: boolean;
  readonly allowEdited: boolean;
}

/**
 * Why a plan is asked for: the person asked ("fresh": the screen starts over), a run ended or a
 * resolve was recorded here ("after-run": the plan of the new state, under the run's result), the project changed on
 * disk or elsewhere ("changed"), or the host refused a run because the plan had changed ("refused").
 */
type PlanReason = "fresh" | "after-run" | "changed" | "refused";

/**
 * Apply / roll back: choose an environment, a direction and a target (or arrive from a node),
 * see the plan and its verdict, tick what a destructive or unchecked plan loses, type the name of
 * a protected database, watch the run. The plan shown is recomputed after every run and whenever
 * the project changes, and the run carries it so the host refuses to run any other.
 */
export function ApplyScreen(props: {
  readonly environment?: string;
  readonly target?: string;
  readonly command?: MigrateCommandDto;
  readonly singleTransaction?: boolean;
  readonly allowEdited?: boolean;
}) {
  const client = useClient();
  const { summary, activeEnvironment, refresh, matrix } = useProject();
  const [form, setForm] = useState<ApplyForm>(() => ({
    environment: props.environment ?? activeEnvironment ?? summary.environments[0]?.name ?? "",
    command: props.command ?? "upgrade",
    target: props.target ?? defaultTarget(props.command ?? "upgrade", null),
    singleTransaction: props.singleTransaction ?? false,
    allowEdited: props.allowEdited ?? false,
  }));
  const [plan, setPlan] = useState<PlanState>({ state: "idle" });
  const [typedName, setTypedName] = useState("");
  const [acknowledged, setAcknowledged] = useState(false);
  /** Set when the plan on screen replaced one the person was looking at: the host refused, or the project changed. */
  const [planChanged, setPlanChanged] = useState<{ readonly title: string; readonly detail: string } | null>(null);
  const [unresolvedCount, setUnresolvedCount] = useState(0);
  const [run, setRun] = useState<RunProgress | null>(null);
  const [runError, setRunError] = useState<ErrorShape | null>(null);

  // The address follows the form without a history entry per keystroke.
  useEffect(() => {
    replaceRoute({ screen: "apply", environment: form.environment, command: form.command, target: form.target, singleTransaction: form.singleTransaction || undefined, allowEdited: form.allowEdited || undefined });
  }, [form]);

  // Only the newest plan request may land: a slow answer never replaces a newer one.
  const planSeq = useRef(0);
  const shown = useRef<MigrationPlanDto | null>(null);
  const loadPlan = useCallback(
    (f: Pick<ApplyForm, "environment" | "command" | "target">, reason: PlanReason): void => {
      const target = f.target.trim();
      if (!f.environment || !target) return;
      const mine = ++planSeq.current;
      preloadCodeView();
      const previous = reason === "fresh" ? null : shown.current;
      if (reason === "fresh") {
        shown.current = null;
        setPlan({ state: "loading" });
        setRun(null);
        setRunError(null);
        setPlanChanged(null);
        setTypedName("");
        setAcknowledged(false);
      } else {
        // The plan stays on screen while its successor is computed.
        setPlan((p) => (p.state === "ok" ? { ...p, refreshing: true } : p.state === "error" ? p : { state: "loading" }));
      }
      client.planMigration({ environment: f.environment, command: f.command, target }).then(
        (p) => {
          if (mine !== planSeq.current) return;
          const same = previous !== null && samePlan(previous, p);
          shown.current = p;
          setPlan({ state: "ok", plan: p, refreshing: false });
          // What the person ticked or typed was for the plan they saw: anything else starts over.
          if (!same || reason === "after-run" || reason === "refused") {
            setTypedName("");
            setAcknowledged(false);
          }
          if (reason === "changed" && previous && !same && previous.steps.length > 0) {
            setPlanChanged({ title: "The plan changed while you looked.", detail: "The project changed (revision files, a new revision, or the environments): this is the plan now. Look at it again before you run it." });
          }
        },
        (e: unknown) => {
          if (mine !== planSeq.current) return;
          shown.current = null;
          setPlan({ state: "error", error: asErrorShape(e) });
        },
      );
    },
    [client],
  );
  const formRef = useRef(form);
  formRef.current = form;
  /** The target on screen is a direction's default, not one typed or given by the address (see the heads effect below). */
  const targetIsDefault = useRef(props.target === undefined);
  const showPlan = (): void => loadPlan(form, "fresh");

  // A route (a clicked node, a reload, an address opened in a new tab) fills the form and, with a target, shows its plan.
  useEffect(() => {
    const next: ApplyForm = {
      environment: props.environment ?? formRef.current.environment,
      command: props.command ?? formRef.current.command,
      target: props.target ?? formRef.current.target,
      singleTransaction: props.singleTransaction ?? false,
      allowEdited: props.allowEdited ?? false,
    };
    setForm(next);
    if (props.target !== undefined) targetIsDefault.current = false;
    if (props.target) loadPlan(next, "fresh");
  }, [props.environment, props.command, props.target, props.singleTransaction, props.allowEdited, loadPlan]);

  const runId = run?.runId;
  const running = run !== null && (run.state === "queued" || run.state === "running");
  const runningRef = useRef(running);
  runningRef.current = running;
  const planStateRef = useRef(plan.state);
  planStateRef.current = plan.state;
  useEffect(() => {
    if (!runId) return;
    return client.onEvent((e) => {
      if (e.type === "engine-restarted") setRun((p) => (p ? loseRunWithEngine(p, e) : p));
      else if (e.type !== "project-changed") setRun((p) => (p ? applyRunEvent(p, e) : p));
    });
  }, [client, runId]);
  // Files written, a revision created, a profile changed, another window's run: the plan shown is made again.
  // During a run the end of the run does it.
  useEffect(
    () =>
      client.onEvent((e) => {
        if (e.type !== "project-changed" || runningRef.current) return;
        // A plan still loading may have read the files before this change: it is asked for again too.
        if (planStateRef.current !== "idle") loadPlan(formRef.current, "changed");
      }),
    [client, loadPlan],
  );
  // The event stream may drop or connect late: the stored run is the truth once it has ended.
  useEffect(() => {
    if (!runId || !running) return;
    const t = setInterval(() => {
      client.getRun({ runId }).then((r) => setRun((p) => (p ? mergeRunDto(p, r) : p)), () => undefined);
    }, 1000);
    return () => clearInterval(t);
  }, [client, runId, running]);
  const ended = run?.state === "succeeded" || run?.state === "failed";
  const refusedAsChanged = run?.state === "failed" && run.error?.code === "PLAN_CHANGED";
  // Events sent before the subscription was made are in the stored run: take its full log at the end.
  useEffect(() => {
    if (!ended || !runId) return;
    refresh();
    client.getRun({ runId }).then((r) => setRun((p) => (p ? mergeRunDto(p, r) : p)), () => undefined);
  }, [ended, runId, client, refresh]);
  // When a run ends the plan shown is the one from the new state ("nothing to run" if so).
  useEffect(() => {
    if (!ended || !runId || refusedAsChanged) return;
    loadPlan(formRef.current, "after-run");
  }, [ended, runId, refusedAsChanged, loadPlan]);
  // Refused because the plan changed: nothing ran; the new plan replaces the run, to be confirmed again.
  useEffect(() => {
    if (!refusedAsChanged || !run?.error) return;
    setPlanChanged({ title: "The plan changed since you looked.", detail: `Nothing ran: ${run.error.message.replace(/^the plan changed since you looked: /, "").replace(/; nothing was run$/, "")}.` });
    setRun(null);
    loadPlan(formRef.current, "refused");
  }, [refusedAsChanged, run?.error, loadPlan]);

  const env = summary.environments.find((e) => e.name === form.environment);
  const okPlan = plan.state === "ok" ? plan.plan : null;
  // The name to type is the plan's: a database reached by another route is protected under its protected environment's name.
  const confirmationName = okPlan ? (okPlan.confirmationName ?? (okPlan.protected ? okPlan.environment : null)) : null;
  const acknowledgement = okPlan ? acknowledgementText(okPlan) : null;
  // Edited (or removed) applied files stop a run, as in the CLI, unless the person says the edits are intended.
  const refusal = okPlan?.refusal ?? null;
  const canRun =
    okPlan !== null &&
    plan.state === "ok" &&
    !plan.refreshing &&
    !running &&
    (confirmationName === null || typedName === confirmationName) &&
    (acknowledgement === null || acknowledged) &&
    (!refusal || (refusal.allowEdited && form.allowEdited));
  const start = (): void => {
    if (!okPlan || !canRun) return;
    setRunError(null);
    setPlanChanged(null);
    client
      .runMigration({
        environment: okPlan.environment,
        command: okPlan.command,
        target: okPlan.target,
        confirmedPlan: confirmedPlanOf(okPlan),
        ...(confirmationName !== null ? { confirmName: typedName } : {}),
        ...(acknowledgement !== null ? { acknowledgedLoss: true } : {}),
        ...(form.singleTransaction ? { singleTransaction: true } : {}),
        ...(refusal && form.allowEdited ? { allowEdited: true } : {}),
      })
      .then(
        (t) => setRun(startProgress(t.runId, okPlan.steps)),
        (e: unknown) => setRunError(asErrorShape(e)),
      );
  };
  const revisionIds = summary.revisions.slice(0, 500).map((r) => r.id);
  // Several heads make a bare relative step ambiguous: offer one plain target per head instead (issue 20).
  const envHeads = loadedData(matrix)?.environments.find((s) => s.environment.name === form.environment)?.heads ?? null;
  // A default "-1" chosen before the heads were known (at first, or by switching the direction before the
  // environments were read): from several heads it becomes that head's plain target, planned again if a
  // plan was asked for. A target typed, or given by the address, is left as it is.
  useEffect(() => {
    if (!targetIsDefault.current || envHeads === null || envHeads.length < 2) return;
    const f = formRef.current;
    if (f.command !== "downgrade" || f.target !== defaultTarget("downgrade", null)) return;
    const next = { ...f, target: defaultTarget("downgrade", envHeads) };
    setForm(next);
    if (plan.state !== "idle") loadPlan(next, "fresh");
  }, [envHeads, form.command, form.target, plan.state, loadPlan]);
  const change = (patch: Partial<ApplyForm>, replan: boolean): void => {
    const next = { ...form, ...patch };
    setForm(next);
    if (replan) loadPlan(next, "fresh");
    else if (patch.environment !== undefined || patch.command !== undefined || patch.target !== undefined) {
      planSeq.current++;
      shown.current = null;
      setPlan({ state: "idle" });
      setPlanChanged(null);
    }
  };

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
          <select value={form.environment} onChange={(e) => change({ environment: e.target.value }, form.target.trim() !== "")} aria-label="Environment">
            {summary.environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
                {e.protected ? " (protected)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Direction
          <select
            value={form.command}
            onChange={(e) => {
              const command: MigrateCommandDto = e.target.value === "downgrade" ? "downgrade" : "upgrade";
              // The other direction's default target makes no sense here: take this one's.
              const takesDefault = form.target === defaultTarget(form.command, envHeads);
              const target = takesDefault ? defaultTarget(command, envHeads) : form.target;
              if (takesDefault) targetIsDefault.current = true;
              change({ command, target }, target.trim() !== "");
            }}
            aria-label="Direction"
          >
            <option value="upgrade">Upgrade</option>
            <option value="downgrade">Roll back (downgrade)</option>
          </select>
        </label>
        <label className="field" style={{ flex: 1, minWidth: 220 }}>
          Target (id, prefix, head, heads, base, -1, label@head…)
          <input type="text" list="apply-targets" value={form.target} onChange={(e) => {
              targetIsDefault.current = false;
              change({ target: e.target.value }, false);
            }} aria-label="Target" className="mono" />
          <datalist id="apply-targets">
            {["heads", "head", "base", ...relativeTargets(envHeads), ...revisionIds].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label className="field" style={{ alignSelf: "flex-end", flexDirection: "row", alignItems: "center", gap: 6, minHeight: 31 }} title="One transaction for the whole run; MySQL commits each DDL statement regardless">
          <input type="checkbox" checked={form.singleTransaction} onChange={(e) => change({ singleTransaction: e.target.checked }, false)} aria-label="Single transaction" />
          Single transaction
        </label>
        <button type="submit" className="btn" disabled={!form.environment || !form.target.trim() || plan.state === "loading"} style={{ alignSelf: "flex-end" }}>
          Show plan
        </button>
      </form>
      {/* A revision left half applied here refuses every run: the same choice as on the environments screen. */}
      <UnresolvedForEnvironment
        key={form.environment}
        reloadOn={run?.state ?? ""}
        environment={form.environment}
        protected={env?.protected ?? false}
        confirmationName={env?.confirmationName ?? null}
        onResolved={() => {
          refresh();
          loadPlan(formRef.current, "after-run");
        }}
        onCount={setUnresolvedCount}
      />
      {planChanged && (
        <div className="notice warn" role="alert" data-testid="plan-changed">
          <strong>{planChanged.title}</strong> {planChanged.detail}
        </div>
      )}
      {plan.state === "idle" && <div className="state-box">Pick an environment and a target, or click a node in the graph, then “Show plan”. Nothing runs before you confirm.</div>}
      {plan.state === "loading" && <Loading what="the plan" />}
      {plan.state === "error" && <ErrorBox error={plan.error} onRetry={showPlan} />}
      {okPlan && (
        <>
          {okPlan.warnings?.map((w) => (
            <div key={w.code} className="notice warn" role="status" data-testid="plan-warning">
              {w.message}
            </div>
          ))}
          <PlanView plan={okPlan} />
          {okPlan.steps.length > 0 && !running && (
            <RunConfirmation
              plan={okPlan}
              refusal={refusal}
              allowEdited={form.allowEdited}
              onAllowEdited={(v) => change({ allowEdited: v }, false)}
              onAcceptEdited={(revision, confirmName) =>
                client.repairRevision({ environment: form.environment, revision, ...(confirmName !== undefined ? { confirmName } : {}) }).then(() => loadPlan(formRef.current, "after-run"))
              }
              acknowledgement={acknowledgement}
              acknowledged={acknowledged}
              onAcknowledged={setAcknowledged}
              confirmationName={confirmationName}
              typedName={typedName}
              onTypedName={setTypedName}
              unresolvedCount={unresolvedCount}
              canRun={canRun}
              onRun={start}
            />
          )}
        </>
      )}
      {runError && <ErrorBox error={runError} />}
      {run && <RunView progress={run} />}
      {run && ended && (
        <div className="toolbar">
          <a className="btn" href={`#/graph`}>
            See the graph
          </a>
          <a className="btn" href={`#/history?environment=${encodeURIComponent(form.environment)}`}>
            History of {form.environment}
          </a>
        </div>
      )}
    </section>
  );
}
