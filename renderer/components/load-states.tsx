import type { ReactNode } from "react";
import type { ErrorShape } from "../../shared/errors.js";

/** Shown while a screen's data is on its way. */
export function Loading({ what }: { readonly what: string }) {
  return (
    <div className="state-box" role="status" aria-live="polite">
      <span className="spinner" /> Loading {what}…
    </div>
  );
}

/** Shown when there is nothing to show, with what to do about it. */
export function Empty({ children }: { readonly children: ReactNode }) {
  return <div className="state-box" role="status">{children}</div>;
}

/** An error from the engine: its one line, its code, and a way to try again. */
export function ErrorBox({ error, onRetry }: { readonly error: ErrorShape; readonly onRetry?: () => void }) {
  return (
    <div className="state-box error" role="alert">
      <div>{error.message}</div>
      <div className="code">{error.code}</div>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry} style={{ marginTop: 8 }}>
          Try again
        </button>
      )}
    </div>
  );
}
