import type { MigrationPlanDto } from "../../../shared/api.js";
import { AcceptEditedFile } from "../../components/accept-edited-file.js";
import { withoutCliWords } from "../../components/error-words.js";

/** What the person must do before the plan runs, and the Run button; the container decides what is required. */
export function RunConfirmation(props: {
  readonly plan: MigrationPlanDto;
  /** Why edited or removed files stop the run, and whether "Run anyway" may lift it. */
  readonly refusal: { readonly message: string; readonly allowEdited: boolean } | null;
  readonly allowEdited: boolean;
  readonly onAllowEdited: (v: boolean) => void;
  /** Accepts an edited file once (repairRevision), so later runs stop asking. */
  readonly onAcceptEdited: (revision: string, confirmName: string | undefined) => Promise<unknown>;
  /** The words of the tick box naming what is lost; null when the plan is checked and loses nothing. */
  readonly acknowledgement: string | null;
  readonly acknowledged: boolean;
  readonly onAcknowledged: (v: boolean) => void;
  /** The name to type (a protected database); null when none. */
  readonly confirmationName: string | null;
  readonly typedName: string;
  readonly onTypedName: (v: string) => void;
  readonly unresolvedCount: number;
  readonly canRun: boolean;
  readonly onRun: () => void;
}) {
  const { plan, refusal, acknowledgement, confirmationName } = props;
  const nameMissing = confirmationName !== null && props.typedName !== confirmationName;
  const tickMissing = acknowledgement !== null && !props.acknowledged;
  const danger = plan.command === "downgrade" || confirmationName !== null || acknowledgement !== null;
  return (
    <div className={confirmationName !== null || acknowledgement !== null ? "confirm-protected" : "toolbar"} data-testid="run-confirmation">
      {refusal && (
        <div className="notice warn" role="note" data-testid="edited-refusal" style={{ display: "flex", flexDirection: "column", gap: 6 }}>
          <strong>This run is refused: an applied revision file no longer matches what ran.</strong>
          <div>{withoutCliWords(refusal.message)}</div>
          {refusal.allowEdited && (
            <label style={{ fontWeight: 600 }}>
              <input type="checkbox" checked={props.allowEdited} onChange={(e) => props.onAllowEdited(e.target.checked)} aria-label="Run anyway: the edits are intended" /> Run anyway: the edits are intended
            </label>
          )}
          {(plan.problems ?? [])
            .filter((p) => p.kind === "edited")
            .map((p) => (
              <AcceptEditedFile
                key={p.revision}
                environment={plan.environment}
                protected={confirmationName !== null}
                {...(confirmationName !== null ? { confirmAs: confirmationName } : {})}
                revision={p.revision}
                file={p.file}
                checksumBefore={null}
                checksumNow={null}
                onAccept={(confirmName) => props.onAcceptEdited(p.revision, confirmName)}
              />
            ))}
        </div>
      )}
      {acknowledgement !== null && (
        <label className="loss-ack" data-testid="loss-ack">
          <input type="checkbox" checked={props.acknowledged} onChange={(e) => props.onAcknowledged(e.target.checked)} data-testid="loss-ack-box" />
          <span data-testid="loss-ack-text">{acknowledgement}</span>
        </label>
      )}
      {confirmationName !== null && (
        <label className="field">
          <span>
            {confirmationName === plan.environment ? (
              <>
                <strong>{plan.environment}</strong> is protected. Type its name to run this plan.
              </>
            ) : (
              <>
                <strong>{plan.environment}</strong> reaches the protected database of <strong>{confirmationName}</strong>. Type “{confirmationName}” to run this plan.
              </>
            )}
          </span>
          <input type="text" value={props.typedName} onChange={(e) => props.onTypedName(e.target.value)} aria-label="Type the environment name to confirm" placeholder={`type ${confirmationName}`} autoComplete="off" style={{ maxWidth: 320 }} />
        </label>
      )}
      <div className="toolbar">
        <button type="button" className={`btn ${danger ? "danger" : "primary"}`} disabled={!props.canRun} onClick={props.onRun} data-testid="run-button">
          {plan.command === "upgrade" ? "Upgrade" : "Roll back"} {plan.environment} ({plan.steps.length} step{plan.steps.length === 1 ? "" : "s"})
        </button>
        {tickMissing && (
          <span className="muted" data-testid="ack-hint">
            Tick the box above to enable.
          </span>
        )}
        {nameMissing && <span className="muted" data-testid="confirm-hint">Type “{confirmationName}” to enable.</span>}
        {props.unresolvedCount > 0 && (
          <span className="muted" data-testid="unresolved-hint">
            A run now is refused: first say above what the interrupted revision did.
          </span>
        )}
        {refusal && !props.allowEdited && (
          <span className="muted" data-testid="refusal-hint">
            {nameMissing ? "Also restore" : "Restore"} the file{refusal.allowEdited ? ", accept the edit, or tick “Run anyway”" : ""}, to enable.
          </span>
        )}
      </div>
    </div>
  );
}
