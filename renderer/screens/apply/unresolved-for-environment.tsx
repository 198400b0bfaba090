import { useEffect, useState } from "react";
import type { UnresolvedRunDto } from "../../../shared/dto.js";
import { useClient } from "../../api/client-context.js";
import { navigate } from "../../app/navigate.js";
import { UnresolvedRunPanel } from "../../components/unresolved-runs.js";
import { loadedData, useLoad } from "../../hooks/use-load.js";
import { shortRevision } from "../../components/revision-id.js";

/** A revision just settled here, offered to run again. */
interface Settled {
  readonly revision: string;
  readonly direction: "up" | "down";
  readonly how: string;
}

/**
 * One environment's unresolved revisions (a run there would be refused): loads each one's
 * recovery check and offers the choice, the undo, and after a rollback a retry. Given
 * `unresolved` (the environments screen has it already) it does not read the status itself.
 */
export function UnresolvedForEnvironment(props: {
  readonly environment: string;
  readonly protected: boolean;
  /** The name to type where it is not the environment's own (it reaches a protected one's database). */
  readonly confirmationName?: string | null;
  readonly onResolved: () => void;
  /** How many revisions wait for a resolve (0 once none, or when the status cannot be read). */
  readonly onCount?: (count: number) => void;
  readonly unresolved?: readonly UnresolvedRunDto[];
  /** Read the status again when this changes (a run there ended), keeping the panel and its retry. */
  readonly reloadOn?: string;
}) {
  const client = useClient();
  const given = props.unresolved;
  const state = useLoad(() => client.environmentStatus({ environments: [props.environment] }), [client, props.environment, props.reloadOn], props.environment !== "" && given === undefined);
  const [settled, setSettled] = useState<Settled | null>(null);
  // While the status reloads the panels stay as they were, so a check or a typed name is not lost.
  const runs = (given ?? loadedData(state.load)?.environments[0]?.unresolved ?? []).filter((u) => u.state !== "running");
  const { onCount } = props;
  useEffect(() => onCount?.(runs.length), [onCount, runs.length]);
  const after = (run: UnresolvedRunDto, how: string) => (): void => {
    setSettled({ revision: run.revision, direction: run.direction, how });
    if (given === undefined) state.reload();
    props.onResolved();
  };
  if (runs.length === 0 && !settled) return null;
  return (
    <>
      {runs.length > 0 && (
        <div data-testid="unresolved" data-unresolved-env={props.environment} style={{ display: "grid", gap: 8, margin: "8px 0" }}>
          {runs.map((u) => (
            <RecoveryForRun key={u.historyId} reloadOn={props.reloadOn ?? ""} environment={props.environment} protected={props.protected || Boolean(props.confirmationName)} confirmAs={props.confirmationName ?? props.environment} run={u} onSettled={(how) => after(u, how)()} />
          ))}
        </div>
      )}
      {settled && !runs.some((u) => u.revision === settled.revision) && (
        <div className="notice ok" role="status" data-testid="recovery-settled" data-settled-env={props.environment} style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap", margin: "8px 0" }}>
          <span>
            {shortRevision(settled.revision)} is recorded {settled.how} on <strong>{props.environment}</strong>.
          </span>
          {settled.how !== "as applied" && (
            <button
              type="button"
              className="btn small primary"
              data-testid="recovery-retry"
              onClick={() => {
                setSettled(null);
                // The apply screen opens with the run prefilled and its plan shown; nothing runs before the person confirms it.
                navigate({
                  screen: "apply",
                  environment: props.environment,
                  command: settled.direction === "up" ? "upgrade" : "downgrade",
                  target: settled.direction === "up" ? settled.revision : `${settled.revision}-1`,
                });
              }}
            >
              Retry: {settled.direction === "up" ? "upgrade to" : "downgrade"} {shortRevision(settled.revision)}
            </button>
          )}
          <button type="button" className="btn small" onClick={() => setSettled(null)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}

/** Loads one revision's recovery check and calls resolve / undo for its panel. */
function RecoveryForRun(props: { readonly reloadOn: string; readonly environment: string; readonly protected: boolean; readonly confirmAs: string; readonly run: UnresolvedRunDto; readonly onSettled: (how: string) => void }) {
  const client = useClient();
  const { environment, run } = props;
  // Checked again when a run there ends: it may have changed the live schema the check reads.
  const check = useLoad(() => client.recoveryCheck({ environment, revision: run.revision }), [client, environment, run.revision, run.historyId, props.reloadOn]);
  return (
    <UnresolvedRunPanel
      environment={environment}
      protected={props.protected}
      confirmAs={props.confirmAs}
      run={run}
      check={check.load}
      onResolve={(revision, outcome, confirmName, override) =>
        client
          .resolveRevision({ environment, revision, outcome, ...(confirmName !== undefined ? { confirmName } : {}), ...(override ? { override: true } : {}) })
          .then(() => props.onSettled(outcome === "applied" ? "as applied" : "as rolled back"))
          // A contradiction found at the record (the schema changed since the check) shows the fresh check with it.
          .catch((e: unknown) => {
            check.reload();
            throw e;
          })
      }
      onUndo={(revision, confirmName) =>
        client
          .undoPartialRevision({ environment, revision, ...(confirmName !== undefined ? { confirmName } : {}) })
          .then((r) => props.onSettled(`as rolled back after undoing ${r.undone.length} statement${r.undone.length === 1 ? "" : "s"}`))
          .catch((e: unknown) => {
            check.reload();
            throw e;
          })
      }
    />
  );
}
