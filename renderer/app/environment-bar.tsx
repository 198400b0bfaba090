import type { EnvironmentDto, EnvironmentStateDto } from "../../shared/api.js";

/** A one-line state of an environment for its chip: where it stands and what is wrong. */
function stateText(state: EnvironmentStateDto | undefined): { readonly text: string; readonly tone: "" | "bad" | "pending" } {
  if (!state) return { text: "…", tone: "" };
  if (state.error || state.heads === null) return { text: "unreachable", tone: "bad" };
  const at = state.heads.length === 0 ? "empty" : state.heads.map((h) => h.slice(0, 12)).join("+");
  if (state.problems.length > 0) return { text: `${at} · ${state.problems.length} edited/missing`, tone: "bad" };
  if (state.drift.state === "drifted") return { text: `${at} · drift`, tone: "bad" };
  if (state.pending.length > 0) return { text: `${at} · ${state.pending.length} pending`, tone: "pending" };
  return { text: `${at} · up to date`, tone: "" };
}

/** The environments along the top: colour, name, protection and state; one is active. */
export function EnvironmentBar(props: {
  readonly environments: readonly EnvironmentDto[];
  readonly states: readonly EnvironmentStateDto[];
  readonly active: string | null;
  readonly onActivate: (name: string) => void;
}) {
  return (
    <div className="env-bar" role="group" aria-label="Environments">
      {props.environments.map((env) => {
        const s = stateText(props.states.find((x) => x.environment.name === env.name));
        return (
          <button
            key={env.name}
            type="button"
            className="env-chip"
            data-env={env.name}
            aria-pressed={props.active === env.name}
            title={`${env.dialect} · ${env.displayTarget}`}
            style={{ ["--env-color" as string]: env.color ?? undefined }}
            onClick={() => props.onActivate(env.name)}
          >
            <strong>{env.name}</strong>
            {env.protected && <span className="lock" title="protected">protected</span>}
            <span className={`env-state ${s.tone}`}>{s.text}</span>
          </button>
        );
      })}
    </div>
  );
}
