import type { EnvironmentDto, EnvironmentStateDto } from "../../shared/api.js";
import { stateTone } from "../components/environment-state.js";
import { shortRevision } from "../components/revision-id.js";

/**
 * A one-line state of an environment for its chip: where it stands and its worst state, as the
 * engine ranks it (half-applied > failed > drift > edited/missing > pending).
 */
function stateText(state: EnvironmentStateDto | undefined): { readonly text: string; readonly tone: "" | "bad" | "pending"; readonly kind: string } {
  if (!state) return { text: "…", tone: "", kind: "" };
  const worst = state.state;
  if (state.error || state.heads === null) return { text: "unreachable", tone: "bad", kind: "unreachable" };
  const at = state.heads.length === 0 ? "empty" : state.heads.map((h) => shortRevision(h)).join("+");
  if (!worst) return { text: at, tone: "", kind: "" };
  const tone = stateTone(worst.kind);
  return { text: `${at} · ${worst.label}`, tone: tone === "ok" ? "" : tone === "warn" ? "pending" : "bad", kind: worst.kind };
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
            <span className={`env-state ${s.tone}`} data-state={s.kind || undefined} title={s.text}>{s.text}</span>
          </button>
        );
      })}
    </div>
  );
}
