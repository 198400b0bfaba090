import { useClient } from "../../api/client-context.js";
import { UnresolvedRuns } from "../../components/unresolved-runs.js";
import { useLoad } from "../../hooks/use-load.js";

/** Loads one environment's unresolved revisions (a run there would be refused) and offers the resolve choice. */
export function UnresolvedForEnvironment(props: { readonly environment: string; readonly protected: boolean; readonly onResolved: () => void }) {
  const client = useClient();
  const state = useLoad(() => client.environmentStatus({ environments: [props.environment] }), [client, props.environment], props.environment !== "");
  if (state.load.state !== "ok") return null;
  return (
    <UnresolvedRuns
      environment={props.environment}
      protected={props.protected}
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
