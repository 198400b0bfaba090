import type { Knex } from "knex";
import type { Plan, Step, VersionOp } from "../../electron/engine/revisions/types.js";
import type { RevisionScript } from "../../electron/engine/scripts/types.js";

/** A revision script built in memory: up/down are the given functions. */
export function revisionScript(
  revision: string,
  downRevisions: readonly string[],
  up: (knex: Knex) => Promise<unknown> | unknown,
  down: (knex: Knex) => Promise<unknown> | unknown,
  options: { readonly transaction?: boolean; readonly message?: string } = {},
): RevisionScript {
  return {
    revision,
    downRevisions,
    branchLabels: [],
    dependsOn: [],
    message: options.message ?? `revision ${revision}`,
    file: `/virtual/${revision}.ts`,
    checksum: `sha-${revision}`,
    transaction: options.transaction ?? true,
    load: async () => ({
      up: async (k: Knex) => {
        await up(k);
      },
      down: async (k: Knex) => {
        await down(k);
      },
    }),
  };
}

/** A map of scripts by id. */
export function scriptMap(...scripts: RevisionScript[]): ReadonlyMap<string, RevisionScript> {
  return new Map(scripts.map((s) => [s.revision, s]));
}

/** A step with its ops; headsAfter given by hand as Alembic would leave them. */
export function step(revision: string, direction: "up" | "down", ops: VersionOp[], headsAfter: string[]): Step {
  return { revision, direction, ops, headsAfter: [...headsAfter].sort() };
}

/** A plan from its steps. */
export function plan(command: "upgrade" | "downgrade", target: string, headsBefore: string[], steps: Step[]): Plan {
  const last = steps[steps.length - 1];
  return { command, target, headsBefore, steps, headsAfter: last ? [...last.headsAfter] : [...headsBefore].sort() };
}

/**
 * A planner for a linear chain (ids in order): upgrades from whatever head it is given to the
 * end, the way the graph would, so runners that plan under the lock can be tested.
 */
export function linearUpgradePlanner(chain: readonly string[]): (heads: readonly string[]) => Plan {
  return (heads) => {
    const start = heads.length === 0 ? 0 : chain.indexOf(heads[0]!) + 1;
    const steps: Step[] = [];
    for (let i = start; i < chain.length; i++) {
      const rev = chain[i]!;
      const ops: VersionOp[] = i === 0 ? [{ kind: "insert", revision: rev }] : [{ kind: "update", from: chain[i - 1]!, to: rev }];
      steps.push(step(rev, "up", ops, [rev]));
    }
    return plan("upgrade", "head", [...heads], steps);
  };
}
