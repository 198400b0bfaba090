import { useEffect } from "react";
import { useClient } from "../../api/client-context.js";
import { UnresolvedRuns } from "../../components/unresolved-runs.js";
import { useLoad } from "../../hooks/use-load.js";

/** Loads one environment's unresolved revisions (a run there would be refused) and offers the resolve choice. */
export function UnresolvedForEnvironment(props: {
  readonly environment: string;
  readonly protected: boolean;
  readonly onResolved: () => void;
  /** How many revisions wait for a resolve (0 once none, or when the status cannot be read). */
  readonly onCount?: (count: number) => void;
}) {
  const client = useClient();
  const state = useLoad(() => client.environmentStatus({ environments: [props.environment] }), [client, props.environment], props.environment !== "");
  const count = state.load.state === "ok" ? (state.load.data.environments[0]?.unresolved ?? []).filter((u) => u.state !== "running").length : 0;
  const { onCount } = props;
  useEffect(() => onCount?.(count), [onCount, count]);
  if (state.load.state !== "ok") return null;
  return (
    <UnresolvedRuns
      environment={props.environment}
      protected={props.protected}
      confirmationName={state.load.data.environments[0]?.environment.confirmationName ?? null}
      unresolved={state.load.data.environments[0]?.unresolved ?? []}
      onResolve={(revision, outcome, confirmName) =>
        client.resolveRevision({ environment: props.environment, revision, outcome, ...(confirmName !== undefined ? { confirmName } : {}) }).then(() => {
          state.reload();
          props.onResolved();
        })
      }
    />
  );
}
