import type { EnvironmentHealthDto, EnvironmentStateDto } from "../../shared/api.js";
import { assertNever } from "../app/assert-never.js";

/** How loud a state is drawn: "bad" red, "warn" amber, "ok" green. */
export type StateTone = "bad" | "warn" | "ok";

/** The colour of an environment's worst state (the engine decides the state; this only draws it). */
export function stateTone(kind: EnvironmentHealthDto["kind"]): StateTone {
  switch (kind) {
    case "unreachable":
    case "half-applied":
    case "failed":
    case "drift":
    case "edited":
    case "missing":
      return "bad";
    case "running":
    case "pending":
      return "warn";
    case "up-to-date":
      return "ok";
    default:
      return assertNever(kind);
  }
}

/** An environment's worst state as a tag, with its words ("half-applied: b2b2…", "15 pending"). */
export function EnvironmentStateTag({ state }: { readonly state: EnvironmentStateDto["state"] }) {
  if (!state) return <span className="faint">…</span>;
  return (
    <span className={`tag ${stateTone(state.kind)}`} data-testid="env-state" data-state={state.kind}>
      {state.label}
    </span>
  );
}
