import { useState } from "react";
import type { ClientDto, ConnectionProfileDto } from "../../../shared/api.js";

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
}

/** Adds or edits a connection profile. The password field is write-only: empty keeps the saved one. */
export function ProfileForm(props: {
  readonly initial: ConnectionProfileDto | null;
  readonly passwordsAvailable: boolean;
  readonly busy: boolean;
  readonly onSave: (v: ProfileFormValue) => void;
  readonly onTest: (v: ProfileFormValue) => void;
  readonly onCancel: () => void;
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
  const [color, setColor] = useState(i?.color ?? "#3b82f6");
  const sqlite = client === "better-sqlite3";
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
    color,
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
      <div className="toolbar">
        <label><input type="checkbox" checked={isProtected} onChange={(e) => setProtected(e.target.checked)} /> Protected (runs need its name typed)</label>
        {i?.hasPassword && !sqlite && (
          <label><input type="checkbox" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} /> Forget the saved password</label>
        )}
      </div>
      <div className="toolbar">
        <button type="submit" className="btn primary" disabled={props.busy || !name.trim()}>Save</button>
        <button type="button" className="btn" disabled={props.busy || !name.trim()} onClick={() => props.onTest(value())}>Test connection</button>
        <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
