import type { NotComparedDto } from "../../../shared/api.js";

/**
 * What Strata does not model, named so nothing passes in silence (issue 16): a short list, the
 * objects on one side only first, since those are the ones a revision must carry by hand.
 */
export function NotComparedList({ items, from, to }: { readonly items: readonly NotComparedDto[]; readonly from: string; readonly to: string }) {
  if (items.length === 0) return null;
  const ordered = [...items.filter((o) => o.presence !== "both"), ...items.filter((o) => o.presence === "both")];
  const oneSided = items.length - items.filter((o) => o.presence === "both").length;
  return (
    <div className="panel" data-testid="diff-not-compared" role="region" aria-label="Not compared">
      <h2 style={{ fontSize: "1em", margin: "0 0 4px" }}>Not compared ({items.length})</h2>
      <p className="muted" style={{ margin: "0 0 6px" }}>
        Strata does not model these objects, so it did not compare them{oneSided ? `; ${oneSided} ${oneSided === 1 ? "is" : "are"} on one side only: write ${oneSided === 1 ? "it" : "them"} into a revision by hand` : ""}.
      </p>
      <ul style={{ margin: 0, paddingLeft: 18 }}>
        {ordered.map((o) => (
          <li key={`${o.kind} ${o.table ?? ""} ${o.name}`}>
            {o.kind} <code>{o.name}</code>
            {o.table ? <> on <code>{o.table}</code></> : null}
            <span className="muted"> — {o.presence === "both" ? "on both sides" : `only in ${o.presence === "from" ? from : to}`}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
