import { useState } from "react";
import { asErrorShape } from "../../shared/api-errors.js";
import type { ErrorShape } from "../../shared/errors.js";
import { ErrorBox } from "./load-states.js";
import { shortRevision } from "./revision-id.js";

/** Records the acceptance (the container calls repairRevision); rejects with the error to show. */
export type AcceptHandler = (confirmName: string | undefined) => Promise<unknown>;

/**
 * "Accept the edited file" for an applied revision whose file changed since it ran (`strata
 * repair`): says first what it does, asks for a protected environment's name, then records it.
 */
export function AcceptEditedFile(props: {
  readonly environment: string;
  readonly protected: boolean;
  /** The name to type when protected: the protected environment this one reaches (default: its own). */
  readonly confirmAs?: string;
  readonly revision: string;
  readonly file: string | null;
  /** What ran (or was last accepted) and what the file holds now, when known. */
  readonly checksumBefore: string | null;
  readonly checksumNow: string | null;
  readonly onAccept: AcceptHandler;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorShape | null>(null);
  const nameToType = props.confirmAs ?? props.environment;
  const confirmed = !props.protected || typed === nameToType;
  const short = (c: string | null): string => (c ? c.slice(0, 8) : "?");
  const accept = (): void => {
    if (!confirmed) return;
    setBusy(true);
    setError(null);
    props
      .onAccept(props.protected ? typed : undefined)
      .then(
        () => {
          setOpen(false);
          setTyped("");
        },
        (e: unknown) => setError(asErrorShape(e)),
      )
      .finally(() => setBusy(false));
  };
  if (!open) {
    return (
      <button type="button" className="btn small" onClick={() => setOpen(true)} data-testid="accept-edited" data-accept-env={props.environment} data-accept-revision={props.revision}>
        Accept the edited file…
      </button>
    );
  }
  return (
    <div className={props.protected ? "confirm-protected" : "notice warn"} data-testid="accept-edited-panel" style={{ display: "flex", flexDirection: "column", gap: 6, textAlign: "left" }}>
      <div>
        <strong>Accept {props.file ?? shortRevision(props.revision)} as it is now on {props.environment}?</strong>
      </div>
      {/* The headline in the box's colour; the account in the page's, to be read. */}
      <div data-testid="accept-edited-explained" style={{ color: "var(--fg)" }}>
        Records the file&apos;s checksum{props.checksumNow && props.checksumBefore ? ` ${short(props.checksumNow)} in place of ${short(props.checksumBefore)}` : " now in place of the one that ran"} in{" "}
        {props.environment}&apos;s history, with your name and
        the time. Nothing runs and no schema changes; runs stop refusing this revision. Do this only if
        the edit is intended: the database keeps what the old file did.
      </div>
      {props.protected && (
        <label className="field">
          <span>
            <strong>{nameToType}</strong> is protected. Type its name to confirm.
          </span>
          <input type="text" value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Type the environment name to confirm the repair" placeholder={`type ${nameToType}`} autoComplete="off" style={{ maxWidth: 320 }} />
        </label>
      )}
      <div className="toolbar">
        <button type="button" className="btn primary" disabled={!confirmed || busy} onClick={accept} data-testid="accept-edited-confirm">
          {busy ? "Recording…" : "Accept the edited file"}
        </button>
        <button type="button" className="btn" onClick={() => { setOpen(false); setTyped(""); setError(null); }} disabled={busy}>
          Cancel
        </button>
      </div>
      {error && <ErrorBox error={error} />}
    </div>
  );
}
