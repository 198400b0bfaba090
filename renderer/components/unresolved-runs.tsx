import { useState } from "react";
import { asErrorShape } from "../../shared/api-errors.js";
import type { UnresolvedRunDto } from "../../shared/dto.js";
import type { ErrorShape } from "../../shared/errors.js";
import { ErrorBox } from "./load-states.js";

/** What the person found. */
export type ResolveOutcome = "applied" | "rolled-back";

/** Records the choice (the container calls resolveRevision); rejects with the error to show. */
export type ResolveHandler = (revision: string, outcome: ResolveOutcome, confirmName: string | undefined) => Promise<unknown>;

/**
 * Revisions an earlier run left interrupted or half applied on one environment, with the choice
 * `strata resolve` offers: after checking the database, record that the revision took effect
 * (the version table moves as the step would have) or that it did not. Runs stay refused until then.
 */
export function UnresolvedRuns(props: {
  readonly environment: string;
  readonly protected: boolean;
  /** The name to type where it is not the environment's own: it reaches a protected one's database (issue 14). */
  readonly confirmationName?: string | null;
  readonly unresolved: readonly UnresolvedRunDto[];
  readonly onResolve: ResolveHandler;
}) {
  const shown = props.unresolved.filter((u) => u.state !== "running");
  if (shown.length === 0) return null;
  return (
    <div data-testid="unresolved" data-unresolved-env={props.environment} style={{ display: "grid", gap: 8, margin: "8px 0" }}>
      {shown.map((u) => (
        <UnresolvedRun key={u.historyId} environment={props.environment} protected={props.protected} confirmAs={props.confirmationName ?? props.environment} run={u} onResolve={props.onResolve} />
      ))}
    </div>
  );
}

function UnresolvedRun(props: { readonly environment: string; readonly protected: boolean; readonly confirmAs: string; readonly run: UnresolvedRunDto; readonly onResolve: ResolveHandler }) {
  const { run, environment } = props;
  const [choice, setChoice] = useState<ResolveOutcome | null>(null);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  const confirmed = !props.protected || typed === props.confirmAs;
  const record = (): void => {
    if (!choice || !confirmed) return;
    setBusy(true);
    setError(null);
    props
      .onResolve(run.revision, choice, props.protected ? typed : undefined)
      .then(
        () => setChoice(null),
        (e: unknown) => setError(asErrorShape(e)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <div className="notice error" role="alert" data-unresolved-revision={run.revision} data-unresolved-state={run.state} style={{ display: "flex", flexDirection: "column", gap: 6 }}>
      {/* A headline to read at a glance; the full account (which can be long) follows in the page's own colour. */}
      <strong>
        {environment}: {run.state === "failed" ? "a revision was left half applied" : "a run was interrupted"}. Runs on {environment} are refused until you say what
        you found.
      </strong>
      <div style={{ color: "var(--fg)" }}>Strata&apos;s history table shows: {run.description}.</div>
      <div className="muted" style={{ fontSize: 12 }}>
        Check the database, then choose. “Took effect” records the revision as done and moves the version table as it would have; “Did not take
        effect” leaves the version table (undo any part that did first).
      </div>
      {choice === null ? (
        <div className="toolbar" style={{ marginTop: 2 }}>
          <button type="button" className="btn small" onClick={() => setChoice("applied")} data-testid="resolve-applied">
            It took effect (applied)
          </button>
          <button type="button" className="btn small" onClick={() => setChoice("rolled-back")} data-testid="resolve-rolled-back">
            It did not take effect (rolled back)
          </button>
        </div>
      ) : (
        <div className={props.protected ? "confirm-protected" : "toolbar"} data-testid="resolve-confirm">
          <div>
            Record that {run.revision.slice(0, 12)} ({run.direction}) {choice === "applied" ? "took effect" : "did not take effect"} on <strong>{environment}</strong>?
          </div>
          {props.protected && (
            <label className="field">
              <span>
                {props.confirmAs === environment ? (
                  <><strong>{environment}</strong> is protected. Type its name to confirm.</>
                ) : (
                  <><strong>{environment}</strong> reaches the database of protected <strong>{props.confirmAs}</strong>. Type “{props.confirmAs}” to confirm.</>
                )}
              </span>
              <input type="text" value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Type the environment name to confirm the resolve" placeholder={`type ${props.confirmAs}`} autoComplete="off" style={{ maxWidth: 320 }} />
            </label>
          )}
          <div className="toolbar">
            <button type="button" className="btn danger" disabled={!confirmed || busy} onClick={record} data-testid="resolve-record">
              {busy ? "Recording…" : choice === "applied" ? "Record as applied" : "Record as rolled back"}
            </button>
            <button type="button" className="btn" onClick={() => { setChoice(null); setTyped(""); }} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}
