import type { ConnectionProfileDto, ProfileListDto, ProfileTestDto } from "../../../shared/api.js";

/** The saved connection profiles: test, edit, remove; never a password. */
export function ProfilesPanel(props: {
  readonly list: ProfileListDto;
  readonly testResults: ReadonlyMap<string, ProfileTestDto | "testing">;
  readonly onAdd: () => void;
  readonly onEdit: (p: ConnectionProfileDto) => void;
  readonly onTest: (p: ConnectionProfileDto) => void;
  readonly onRemove: (p: ConnectionProfileDto) => void;
}) {
  const storage = props.list.passwordStorage;
  return (
    <div className="panel" style={{ display: "flex", flexDirection: "column", gap: 8 }} data-testid="profiles">
      <div className="screen-header">
        <h2 style={{ marginRight: "auto" }}>Connection profiles</h2>
        <button type="button" className="btn" onClick={props.onAdd}>Add profile…</button>
      </div>
      {!storage.available && (
        <div className="notice warn" role="note">
          Passwords cannot be saved here ({storage.backend}{storage.reason ? `: ${storage.reason}` : ""}); profiles keep no password.
        </div>
      )}
      {props.list.profiles.length === 0 ? (
        <div className="state-box">No saved profiles. Environments from strata.config.json are listed above; add a profile to reach another database.</div>
      ) : (
        <table className="grid">
          <thead>
            <tr><th>Name</th><th>Target</th><th>Password</th><th>Test</th><th /></tr>
          </thead>
          <tbody>
            {props.list.profiles.map((p) => {
              const t = props.testResults.get(p.id);
              return (
                <tr key={p.id} data-profile={p.name}>
                  <td style={{ borderLeft: `4px solid ${p.color ?? "var(--border)"}` }}>
                    <strong>{p.name}</strong> {p.protected && <span className="lock">protected</span>}{" "}
                    {p.shared && <span className="tag" title="listed in every project">shared</span>}
                    {p.reachesProtected && (
                      <div className="muted" data-testid="profile-reach">
                        reaches protected {p.reachesProtected.environment}'s database; changes ask for “{p.reachesProtected.environment}”
                      </div>
                    )}
                  </td>
                  <td className="mono">{p.displayTarget}</td>
                  <td>{p.hasPassword ? "saved" : <span className="faint">none</span>}</td>
                  <td>
                    {t === "testing" ? <span className="spinner" /> : t ? <span className={`tag ${t.ok ? "ok" : "bad"}`} title={t.error?.message}>{t.ok ? `ok, ${t.durationMs} ms` : t.message}</span> : null}
                  </td>
                  <td style={{ whiteSpace: "nowrap" }}>
                    <button type="button" className="btn small" onClick={() => props.onTest(p)}>Test</button>{" "}
                    <button type="button" className="btn small" onClick={() => props.onEdit(p)}>Edit</button>{" "}
                    <button type="button" className="btn small" onClick={() => props.onRemove(p)}>Remove</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
