import type { ReactNode } from "react";
import type { ErrorShape } from "../../shared/errors.js";
import { errorWords } from "./error-words.js";

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

/**
 * An error from the engine in the screen's words (errorWords): what happened, the facts, what to
 * do; "Try again" only where trying again can help (a connection, a lock), never on input errors.
 */
export function ErrorBox({ error, onRetry }: { readonly error: ErrorShape; readonly onRetry?: () => void }) {
  const words = errorWords(error);
  return (
    <div className="state-box error" role="alert" data-error-code={error.code}>
      <div><strong>{words.title}.</strong></div>
      {words.detail && <div data-testid="error-detail">{words.detail}</div>}
      <div data-testid="error-action">{words.action}</div>
      {onRetry && words.retry && (
        <button type="button" className="btn small" onClick={onRetry} style={{ marginTop: 8 }}>
          Try again
        </button>
      )}
    </div>
  );
}
