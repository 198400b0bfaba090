import type { MigrationPlanDto } from "../../../shared/api.js";
import { CodeView } from "../../components/code-view.js";
import { VirtualStepList } from "../../components/virtual-step-list.js";
import { shortRevision } from "../../components/revision-id.js";

const heads = (list: readonly string[]) => (list.length === 0 ? "(empty)" : list.map((h) => shortRevision(h)).join(", "));

/** What a run would do: the steps, the heads before and after, its verdict (destructive statements, or not checked), the SQL. */
export function PlanView({ plan }: { readonly plan: MigrationPlanDto }) {
  return (
    <div className="split" data-testid="plan">
      <div className="panel" style={{ display: "flex", flexDirection: "column", gap: 8 }}>
        <h2>
          {plan.command === "upgrade" ? "Upgrade" : "Roll back"} <strong>{plan.environment}</strong> to <code>{plan.target}</code>
        </h2>
        <div className="muted">
          Heads now <code data-testid="heads-before">{heads(plan.headsBefore)}</code> → after <code data-testid="heads-after">{heads(plan.headsAfter)}</code>
        </div>
        {plan.steps.length === 0 ? (
          <div className="notice ok" role="status">Nothing to run: {plan.environment} is already there.</div>
        ) : (
          <>
            <div className="muted" data-testid="plan-step-count">
              {plan.steps.length.toLocaleString("en")} {plan.steps.length === 1 ? "step" : "steps"}
            </div>
            <VirtualStepList
              testId="plan-steps"
              items={plan.steps}
              itemKey={(s) => `${s.revision}-${s.direction}`}
              renderRow={(s) => (
                <>
                  <span className={`tag ${s.direction === "up" ? "ok" : "warn"}`}>{s.direction === "up" ? "▲ up" : "▼ down"}</span>
                  <code>{shortRevision(s.revision)}</code>
                  <span>{s.message}</span>
                </>
              )}
            />
          </>
        )}
        {!plan.checked && plan.steps.length > 0 && (
          <div className="notice error" role="alert" data-testid="unchecked">
            <strong>Not checked:</strong> {plan.uncheckedReason ?? "the plan's SQL could not be rendered"} — Strata could not tell what this plan destroys.
          </div>
        )}
        {plan.destructive.length > 0 && (
          <div className="notice error" role="alert" data-testid="destructive">
            <strong>
              Loses data or structure: {plan.destructive.length} statement{plan.destructive.length === 1 ? "" : "s"}
            </strong>
            <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
              {plan.destructive.map((d, i) => (
                <li key={i}>
                  <code>{shortRevision(d.revision)}</code> {d.reason}
                  {/* Long statements wrap at spaces first; a word is cut only where it cannot fit. */}
                  <div className="mono" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", opacity: 0.85, fontSize: 12, marginTop: 2 }} data-testid="destructive-statement">
                    {d.statement}
                  </div>
                </li>
              ))}
            </ul>
          </div>
        )}
        {(plan.problems ?? []).length > 0 && (
          <div className="notice warn" role="alert" data-testid="file-problems">
            <strong>Applied revision files changed since they ran:</strong>
            <ul style={{ margin: "4px 0 0", paddingLeft: 18 }}>
              {(plan.problems ?? []).map((p) => (
                <li key={p.revision}>
                  <span className="tag bad">{p.kind}</span> <code>{p.file ?? shortRevision(p.revision)}</code>
                  {p.kind === "edited" ? " was edited after it was applied" : " is applied but its file is gone"}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <div>
        <h3>SQL</h3>
        {plan.sql !== null ? (
          <CodeView code={plan.sql || "-- no statements"} language="sql" label="plan SQL" />
        ) : (
          <div className="notice warn" role="note">{plan.sqlError?.message ?? "This plan cannot be rendered as SQL."}</div>
        )}
      </div>
    </div>
  );
}
