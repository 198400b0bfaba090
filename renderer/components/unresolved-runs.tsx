import { useState } from "react";
import type { RecoveryCheckDto, RecoveryStatementDto } from "../../shared/api.js";
import { asErrorShape } from "../../shared/api-errors.js";
import type { UnresolvedRunDto } from "../../shared/dto.js";
import type { ErrorShape } from "../../shared/errors.js";
import type { Load } from "../hooks/use-load.js";
import { ErrorBox, Loading } from "./load-states.js";
import { appWords } from "./recovery-words.js";
import { shortRevision } from "./revision-id.js";

/** What the person found. */
export type ResolveOutcome = "applied" | "rolled-back";

/** Records the choice (the container calls resolveRevision); rejects with the error to show. */
export type ResolveHandler = (revision: string, outcome: ResolveOutcome, confirmName: string | undefined, override: boolean) => Promise<unknown>;
/** Runs the undo and records the revision rolled back (the container calls undoPartialRevision). */
export type UndoHandler = (revision: string, confirmName: string | undefined) => Promise<unknown>;

type Choice = ResolveOutcome | "undo";

/**
 * A revision an earlier run left interrupted or half applied on one environment: which of its
 * statements ran and what the live schema shows of each (the recovery check), then the choice:
 * it took effect, it did not, or undo the statements that ran. An outcome the schema contradicts
 * needs a tick ("I checked the database"); a protected environment its typed name.
 */
export function UnresolvedRunPanel(props: {
  readonly environment: string;
  readonly protected: boolean;
  /** The name to type: the environment's own, or the protected one's whose database it reaches (issue 14). */
  readonly confirmAs: string;
  readonly run: UnresolvedRunDto;
  readonly check: Load<RecoveryCheckDto>;
  readonly onResolve: ResolveHandler;
  readonly onUndo: UndoHandler;
}) {
  const { run, environment, check } = props;
  const [choice, setChoice] = useState<Choice | null>(null);
  const [typed, setTyped] = useState("");
  const [override, setOverride] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  const found = check.state === "ok" ? check.data : null;
  const contradictions = found && choice && choice !== "undo" ? (choice === "applied" ? found.contradictions.applied : found.contradictions.rolledBack) : [];
  const confirmed = (!props.protected || typed === props.confirmAs) && (contradictions.length === 0 || override);
  const choose = (c: Choice | null): void => {
    setChoice(c);
    setTyped("");
    setOverride(false);
    setError(null);
  };
  const record = (): void => {
    if (!choice || !confirmed) return;
    setBusy(true);
    setError(null);
    const name = props.protected ? typed : undefined;
    (choice === "undo" ? props.onUndo(run.revision, name) : props.onResolve(run.revision, choice, name, contradictions.length > 0 && override))
      .then(
        () => choose(null),
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
      {check.state === "loading" && <Loading what="what the database shows of its statements" />}
      {check.state === "error" && <ErrorBox error={appWords(check.error)} />}
      {found && <RecoveryStatements check={found} />}
      <div className="muted" style={{ fontSize: 12 }}>
        “Took effect” records the revision as done and moves the version table as it would have; “Did not take effect” leaves the version table, so the revision
        runs again next time. Strata compares either answer with the live schema first.
      </div>
      {choice === null ? (
        <div className="toolbar" style={{ marginTop: 2 }}>
          {found?.undo.available && (
            <button type="button" className="btn small primary" onClick={() => choose("undo")} data-testid="recovery-undo">
              Undo the statements that ran
            </button>
          )}
          <button type="button" className="btn small" onClick={() => choose("applied")} data-testid="resolve-applied">
            It took effect (applied)
          </button>
          <button type="button" className="btn small" onClick={() => choose("rolled-back")} data-testid="resolve-rolled-back">
            It did not take effect (rolled back)
          </button>
          {found && !found.undo.available && found.undo.reason && (
            <span className="muted" style={{ fontSize: 12 }} data-testid="recovery-undo-unavailable">
              No undo on offer: {found.undo.reason}.
            </span>
          )}
        </div>
      ) : (
        <div className={props.protected || contradictions.length > 0 || choice === "undo" ? "confirm-protected" : "toolbar"} data-testid="resolve-confirm" style={{ color: "var(--fg)" }}>
          {choice === "undo" && found ? (
            <>
              <div>
                Undo what {shortRevision(run.revision)} ({run.direction}) left on <strong>{environment}</strong>, then record it as rolled back. Strata will run:
              </div>
              <pre className="sql" data-testid="recovery-undo-sql">
                {found.undo.statements.map((s) => `${s};`).join("\n")}
              </pre>
            </>
          ) : (
            <div>
              Record that {shortRevision(run.revision)} ({run.direction}) {choice === "applied" ? "took effect" : "did not take effect"} on <strong>{environment}</strong>?
            </div>
          )}
          {contradictions.length > 0 && (
            <div data-testid="recovery-contradiction" style={{ display: "flex", flexDirection: "column", gap: 4 }}>
              <strong style={{ color: "var(--danger)" }}>The live schema says otherwise:</strong>
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {contradictions.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
              {choice === "rolled-back" && found?.undo.available && <div className="muted">Undo the statements that ran instead, and the revision can run again cleanly.</div>}
              <label style={{ fontWeight: 600 }}>
                <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} aria-label="I checked the database: record it anyway" /> I checked the database:
                record it anyway
              </label>
            </div>
          )}
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
              {busy ? "Working…" : choice === "undo" ? "Run the undo and record as rolled back" : choice === "applied" ? "Record as applied" : "Record as rolled back"}
            </button>
            <button type="button" className="btn" onClick={() => choose(null)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && <ErrorBox error={appWords(error)} />}
    </div>
  );
}

const RAN_WORDS: Readonly<Record<RecoveryStatementDto["ran"], string>> = { ran: "ran", failed: "refused", "not-ran": "did not run", unknown: "unknown" };
const RAN_TAG: Readonly<Record<RecoveryStatementDto["ran"], string>> = { ran: "warn", failed: "bad", "not-ran": "ok", unknown: "" };

/** The revision's statements: whether each ran, how that is known, and what the live schema shows of it. */
export function RecoveryStatements({ check }: { readonly check: RecoveryCheckDto }) {
  if (check.statements.length === 0) {
    return <div className="muted" data-testid="recovery-statements">Strata cannot list this revision&apos;s statements (its file is missing or it reads the database to decide them).</div>;
  }
  const from = check.statementsFrom === "recorded" ? "as the run recorded them" : "as its file issues them (the run was stopped before it could record them), marked from the live schema";
  return (
    <div data-testid="recovery-statements" style={{ color: "var(--fg)", display: "flex", flexDirection: "column", gap: 4 }}>
      <div style={{ fontSize: 12 }} className="muted">
        Its statements, {from}:
      </div>
      <table className="grid" style={{ background: "var(--bg)", borderRadius: 6 }}>
        <tbody>
          {check.statements.map((s, i) => (
            <tr key={i} data-recovery-statement={i} data-ran={s.ran} data-schema={s.schema}>
              <td style={{ width: 96 }}>
                <span className={`tag ${RAN_TAG[s.ran]}`} title={s.basis === "recorded" ? "recorded by the run" : s.basis === "schema" ? "read from the live schema" : s.basis === "order" ? "follows from the statements around it" : "nothing tells"}>
                  {RAN_WORDS[s.ran]}
                </span>
              </td>
              <td>
                <code style={{ wordBreak: "break-word" }}>{s.sql}</code>
                {s.evidence.length > 0 && (
                  <div className="faint" style={{ fontSize: 12 }}>
                    Live schema: {s.evidence.join("; ")}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
