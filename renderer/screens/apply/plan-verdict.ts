import type { ConfirmedPlanDto, MigrationPlanDto } from "../../../shared/api.js";

/** How many losses the tick box names before "and N more" (the list above it has them all). */
const NAMED_LOSSES = 8;

/** Verbs the destructive lint starts a finding with; the rest of a reason explains it (e.g. "its current type is not known"). */
const LOSS_VERB = /^(drops|narrows|changes|empties|deletes|rebuilds|truncates|removes)\s+(.*)$/;

/** The short phrases a destructive reason names, e.g. "drops table users and all its rows" -> "drops table users". */
export function lossPhrases(reason: string): string[] {
  const parts = reason.split(/;\s+/).map((p) => p.split(/:\s| \(| and (?:all |its )/)[0]!.trim());
  const named = parts.filter((p) => LOSS_VERB.test(p));
  return named.length > 0 ? named : parts.slice(0, 1);
}

/**
 * What the plan loses, grouped by verb in the order met: ["drops table notes, table invoices",
 * "narrows column orders.currency from varchar(3) to varchar(2)"]; duplicates once.
 */
export function lossSummary(plan: Pick<MigrationPlanDto, "destructive">): { readonly groups: readonly string[]; readonly more: number } {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const d of plan.destructive) {
    for (const p of lossPhrases(d.reason)) {
      if (seen.has(p)) continue;
      seen.add(p);
      phrases.push(p);
    }
  }
  const shown = phrases.slice(0, NAMED_LOSSES);
  const groups = new Map<string, string[]>();
  for (const p of shown) {
    const m = LOSS_VERB.exec(p);
    const verb = m ? m[1]! : "";
    const rest = m ? m[2]! : p;
    groups.set(verb, [...(groups.get(verb) ?? []), rest]);
  }
  return { groups: [...groups].map(([verb, rests]) => (verb ? `${verb} ${rests.join(", ")}` : rests.join(", "))), more: phrases.length - shown.length };
}

/**
 * The words of the box a person ticks before a destructive or unchecked plan runs (issue 14),
 * naming what is lost; null when the plan is checked and loses nothing.
 */
export function acknowledgementText(plan: Pick<MigrationPlanDto, "destructive" | "checked">): string | null {
  const { groups, more } = lossSummary(plan);
  if (groups.length === 0 && plan.checked) return null;
  if (groups.length === 0) return "I understand this plan could not be checked: Strata cannot tell what it destroys";
  const losses = `${groups.join(", ")}${more > 0 ? `, and ${more} more` : ""}`;
  return plan.checked ? `I understand this ${losses}` : `I understand this ${losses}, and that the rest of the plan could not be checked`;
}

/** The plan as the run request carries it: the heads it starts from, each step with its file's checksum. */
export function confirmedPlanOf(plan: Pick<MigrationPlanDto, "headsBefore" | "steps">): ConfirmedPlanDto {
  return { headsBefore: [...plan.headsBefore], steps: plan.steps.map((s) => ({ revision: s.revision, direction: s.direction, checksum: s.checksum })) };
}

/** Whether two plans would run the same thing (what a person confirmed stays confirmed across a re-plan only then). */
export function samePlan(a: MigrationPlanDto, b: MigrationPlanDto): boolean {
  return (
    a.environment === b.environment &&
    a.command === b.command &&
    JSON.stringify(confirmedPlanOf(a)) === JSON.stringify(confirmedPlanOf(b)) &&
    JSON.stringify(a.destructive) === JSON.stringify(b.destructive) &&
    a.checked === b.checked &&
    a.confirmationName === b.confirmationName
  );
}
