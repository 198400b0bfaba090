import { useState } from "react";
import type { ClientDto, ConnectionProfileDto, ProtectedDatabaseDto, TlsModeDto } from "../../../shared/api.js";

/** What the profile form sends; `password` only when typed (the saved one is never shown). */
export interface ProfileFormValue {
  readonly id?: string;
  readonly name: string;
  readonly client: ClientDto;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly database?: string;
  readonly filename?: string;
  readonly password?: string;
  readonly clearPassword?: boolean;
  readonly protected: boolean;
  readonly color?: string;
  readonly tls?: { readonly mode: TlsModeDto; readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly ssh?: { readonly host: string; readonly port?: number; readonly user: string; readonly privateKey: string; readonly knownHosts?: string };
  readonly sshPassphrase?: string;
  readonly clearSshPassphrase?: boolean;
  /** Listed in every project, not only in the one open now. */
  readonly shared: boolean;
}

/** The TLS modes, in each server's own words (libpq's sslmode, MySQL's --ssl-mode). */
const TLS_MODES: readonly { readonly mode: TlsModeDto; readonly pg: string; readonly mysql: string | null; readonly hint: string }[] = [
  { mode: "disable", pg: "disable", mysql: "DISABLED", hint: "plain text" },
  { mode: "allow", pg: "allow", mysql: null, hint: "plain text, TLS if the server insists" },
  { mode: "prefer", pg: "prefer", mysql: "PREFERRED", hint: "TLS if the server has it, unchecked" },
  { mode: "require", pg: "require", mysql: "REQUIRED", hint: "TLS, certificate not checked" },
  { mode: "verify-ca", pg: "verify-ca", mysql: "VERIFY_CA", hint: "TLS, certificate signed by the CA" },
  { mode: "verify-full", pg: "verify-full", mysql: "VERIFY_IDENTITY", hint: "TLS, CA and host name checked" },
];

function optional(v: string): string | undefined {
  const t = v.trim();
  return t === "" ? undefined : t;
}

/** Adds or edits a connection profile. The password field is write-only: empty keeps the saved one. */
export function ProfileForm(props: {
  readonly initial: ConnectionProfileDto | null;
  readonly passwordsAvailable: boolean;
  readonly busy: boolean;
  readonly onSave: (v: ProfileFormValue) => void;
  readonly onTest: (v: ProfileFormValue) => void;
  readonly onCancel: () => void;
  /** Set after a save found that the profile reaches a protected database: what the host said (issue 14). */
  readonly reachesProtected?: ProtectedDatabaseDto | null;
}) {
  const i = props.initial;
  const [name, setName] = useState(i?.name ?? "");
  const [client, setClient] = useState<ClientDto>(i?.client ?? "pg");
  const [host, setHost] = useState(i?.host ?? "127.0.0.1");
  const [port, setPort] = useState(i?.port ? String(i.port) : "");
  const [user, setUser] = useState(i?.user ?? "");
  const [database, setDatabase] = useState(i?.database ?? "");
  const [filename, setFilename] = useState(i?.filename ?? "");
  const [password, setPassword] = useState("");
  const [clearPassword, setClearPassword] = useState(false);
  const [isProtected, setProtected] = useState(i?.protected ?? false);
  const [shared, setShared] = useState(i?.shared ?? false);
  const [color, setColor] = useState(i?.color ?? "#3b82f6");
  const [tlsMode, setTlsMode] = useState<TlsModeDto | "">(i?.tls?.mode ?? "");
  const [tlsCa, setTlsCa] = useState(i?.tls?.ca ?? "");
  const [tlsCert, setTlsCert] = useState(i?.tls?.cert ?? "");
  const [tlsKey, setTlsKey] = useState(i?.tls?.key ?? "");
  const [useSsh, setUseSsh] = useState(i?.ssh != null);
  const [sshHost, setSshHost] = useState(i?.ssh?.host ?? "");
  const [sshPort, setSshPort] = useState(i?.ssh ? String(i.ssh.port) : "");
  const [sshUser, setSshUser] = useState(i?.ssh?.user ?? "");
  const [sshKey, setSshKey] = useState(i?.ssh?.privateKey ?? "");
  const [sshKnownHosts, setSshKnownHosts] = useState(i?.ssh?.knownHosts ?? "");
  const [sshPassphrase, setSshPassphrase] = useState("");
  const [clearSshPassphrase, setClearSshPassphrase] = useState(false);
  const sqlite = client === "better-sqlite3";
  const secure = (): Partial<ProfileFormValue> => {
    if (sqlite) return {};
    const ca = optional(tlsCa);
    const cert = optional(tlsCert);
    const key = optional(tlsKey);
    const knownHosts = optional(sshKnownHosts);
    return {
      ...(tlsMode ? { tls: { mode: tlsMode, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
      ...(useSsh
        ? {
            ssh: { host: sshHost.trim(), ...(sshPort ? { port: Number(sshPort) } : {}), user: sshUser.trim(), privateKey: sshKey.trim(), ...(knownHosts ? { knownHosts } : {}) },
            ...(sshPassphrase ? { sshPassphrase } : {}),
            ...(clearSshPassphrase ? { clearSshPassphrase: true } : {}),
          }
        : {}),
    };
  };
  const value = (): ProfileFormValue => ({
    ...(i ? { id: i.id } : {}),
    name: name.trim(),
    client,
    ...(sqlite
      ? { filename: filename.trim() }
      : { host: host.trim() || undefined, port: port ? Number(port) : undefined, user: user.trim() || undefined, database: database.trim() || undefined }),
    ...(password ? { password } : {}),
    ...(clearPassword ? { clearPassword: true } : {}),
    protected: isProtected,
    shared,
    color,
    ...secure(),
  });
  return (
    <form
      className="panel"
      aria-label={i ? `Edit profile ${i.name}` : "New connection profile"}
      style={{ display: "flex", flexDirection: "column", gap: 8 }}
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) props.onSave(value());
      }}
    >
      <h2>{i ? `Edit ${i.name}` : "New connection profile"}</h2>
      <div className="form-grid">
        <label className="field">Name<input type="text" value={name} onChange={(e) => setName(e.target.value)} aria-label="Profile name" required /></label>
        <label className="field">
          Database
          <select value={client} onChange={(e) => setClient(e.target.value as ClientDto)} aria-label="Client">
            <option value="pg">PostgreSQL</option>
            <option value="mysql2">MySQL / MariaDB</option>
            <option value="better-sqlite3">SQLite</option>
          </select>
        </label>
        {sqlite ? (
          <label className="field">File<input type="text" value={filename} onChange={(e) => setFilename(e.target.value)} aria-label="SQLite file" placeholder="dev.sqlite3" /></label>
        ) : (
          <>
            <label className="field">Host<input type="text" value={host} onChange={(e) => setHost(e.target.value)} aria-label="Host" /></label>
            <label className="field">Port<input type="number" value={port} onChange={(e) => setPort(e.target.value)} aria-label="Port" placeholder={client === "pg" ? "5432" : "3306"} /></label>
            <label className="field">User<input type="text" value={user} onChange={(e) => setUser(e.target.value)} aria-label="User" autoComplete="off" /></label>
            <label className="field">Database name<input type="text" value={database} onChange={(e) => setDatabase(e.target.value)} aria-label="Database name" /></label>
            <label className="field">
              Password
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} aria-label="Password" autoComplete="new-password" placeholder={i?.hasPassword ? "saved — type to replace" : "not saved"} disabled={!props.passwordsAvailable} />
            </label>
          </>
        )}
        <label className="field">Colour<input type="color" value={color} onChange={(e) => setColor(e.target.value)} aria-label="Colour" /></label>
      </div>
      {!sqlite && (
        <fieldset className="form-grid" aria-label="Secure connection" style={{ padding: "8px 12px 12px" }}>
          <legend>Secure connection (optional): TLS to the server, and/or an SSH tunnel to reach it</legend>
          {/* A row of its own: the mode names carry a hint that one column would cut off; the files follow on one row. */}
          <label className="field" style={{ gridColumn: "1 / -1" }}>
            TLS
            <select style={{ maxWidth: 460 }} value={tlsMode} onChange={(e) => setTlsMode(e.target.value as TlsModeDto | "")} aria-label="TLS mode">
              <option value="">driver default (plain text)</option>
              {TLS_MODES.filter((m) => client === "pg" || m.mysql !== null).map((m) => (
                <option key={m.mode} value={m.mode}>
                  {client === "pg" ? m.pg : m.mysql} — {m.hint}
                </option>
              ))}
            </select>
          </label>
          {tlsMode !== "" && tlsMode !== "disable" && (
            <>
              <label className="field">CA certificate (PEM file)<input type="text" value={tlsCa} onChange={(e) => setTlsCa(e.target.value)} aria-label="TLS CA file" placeholder="certs/ca.pem" /></label>
              <label className="field">Client certificate<input type="text" value={tlsCert} onChange={(e) => setTlsCert(e.target.value)} aria-label="TLS certificate file" placeholder="optional" /></label>
              <label className="field">Client key<input type="text" value={tlsKey} onChange={(e) => setTlsKey(e.target.value)} aria-label="TLS key file" placeholder="optional" /></label>
            </>
          )}
          <label className="field" style={{ gridColumn: "1 / -1" }}>
            <span><input type="checkbox" checked={useSsh} onChange={(e) => setUseSsh(e.target.checked)} aria-label="Through an SSH tunnel" /> Through an SSH tunnel</span>
          </label>
          {useSsh && (
            <>
              <label className="field">SSH host<input type="text" value={sshHost} onChange={(e) => setSshHost(e.target.value)} aria-label="SSH host" required /></label>
              <label className="field">SSH port<input type="number" value={sshPort} onChange={(e) => setSshPort(e.target.value)} aria-label="SSH port" placeholder="22" /></label>
              <label className="field">SSH user<input type="text" value={sshUser} onChange={(e) => setSshUser(e.target.value)} aria-label="SSH user" autoComplete="off" required /></label>
              <label className="field">Private key file<input type="text" value={sshKey} onChange={(e) => setSshKey(e.target.value)} aria-label="SSH private key" placeholder="~/.ssh/id_ed25519" required /></label>
              <label className="field">known_hosts file<input type="text" value={sshKnownHosts} onChange={(e) => setSshKnownHosts(e.target.value)} aria-label="SSH known_hosts" placeholder="~/.ssh/known_hosts" /></label>
              <label className="field">
                Key passphrase
                <input type="password" value={sshPassphrase} onChange={(e) => setSshPassphrase(e.target.value)} aria-label="SSH key passphrase" autoComplete="new-password" placeholder={i?.ssh?.hasPassphrase ? "saved — type to replace" : "none"} disabled={!props.passwordsAvailable} />
              </label>
              {i?.ssh?.hasPassphrase && (
                <label><input type="checkbox" checked={clearSshPassphrase} onChange={(e) => setClearSshPassphrase(e.target.checked)} /> Forget the saved passphrase</label>
              )}
            </>
          )}
        </fieldset>
      )}
      <div className="toolbar">
        <label><input type="checkbox" checked={isProtected} onChange={(e) => setProtected(e.target.checked)} /> Protected (runs need its name typed)</label>
        <label title="Otherwise the profile is listed only in the project it was saved in">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} aria-label="Shared across projects" /> Shared across projects
        </label>
        {i?.hasPassword && !sqlite && (
          <label><input type="checkbox" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} /> Forget the saved password</label>
        )}
      </div>
      {props.reachesProtected && (
        <div className="notice warn" role="status" data-testid="profile-reaches-protected">
          Saved as protected: {props.reachesProtected.message}.
        </div>
      )}
      <div className="toolbar">
        <button type="submit" className="btn primary" disabled={props.busy || !name.trim()}>Save</button>
        <button type="button" className="btn" disabled={props.busy || !name.trim()} onClick={() => props.onTest(value())}>Test connection</button>
        <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
