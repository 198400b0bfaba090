import { useEffect, useMemo, useState } from "react";
import type { ConnectionProfileDto, ProfileTestDto, ProtectedDatabaseDto } from "../../../shared/api.js";
import { asErrorShape } from "../../../shared/api-errors.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { useClient } from "../../api/client-context.js";
import { useProject } from "../../app/project-context.js";
import { navigate } from "../../app/navigate.js";
import { Empty, ErrorBox, Loading } from "../../components/load-states.js";
import { loadedData, useLoad } from "../../hooks/use-load.js";
import { UnresolvedForEnvironment } from "../apply/unresolved-for-environment.js";
import { EnvironmentMatrixView } from "./environment-matrix-view.js";
import { KnexGaps } from "./knex-gaps.js";
import { headColumnNames } from "./head-column-names.js";
import { ProfileForm, type ProfileFormValue } from "./profile-form.js";
import { ProfilesPanel } from "./profiles-panel.js";

/** Environments: the matrix with drift, and the saved connection profiles. */
export function EnvironmentsScreen() {
  const client = useClient();
  // The App's matrix with drift: reloaded on every host change (a run, a repair, a file changed on disk).
  const { refresh, setActiveEnvironment, driftMatrix, matrix: cheapMatrix, summary, askDrift } = useProject();
  const matrix = { load: driftMatrix, reload: refresh };
  // Drift replays every revision in a scratch database: the matrix without it is drawn first and
  // the Drift column fills in (issue 19: 6.2 s before anything showed at 5,200 revisions).
  const withDrift = loadedData(driftMatrix);
  const shown = withDrift ?? loadedData(cheapMatrix);
  useEffect(() => askDrift?.(), [askDrift]);
  const headNames = useMemo(() => headColumnNames(summary, shown?.heads ?? []), [summary, shown?.heads]);
  const profiles = useLoad(() => client.listProfiles(), [client]);
  const [editing, setEditing] = useState<ConnectionProfileDto | "new" | null>(null);
  const [busy, setBusy] = useState(false);
  const [profileError, setProfileError] = useState<ErrorShape | null>(null);
  const [formTest, setFormTest] = useState<ProfileTestDto | null>(null);
  // A saved profile that reaches a protected database stays open, saying so (issue 14).
  const [savedReach, setSavedReach] = useState<ProtectedDatabaseDto | null>(null);
  const [tests, setTests] = useState<ReadonlyMap<string, ProfileTestDto | "testing">>(new Map());

  const afterChange = (): void => {
    profiles.reload();
    refresh();
  };
  const save = (v: ProfileFormValue): void => {
    setBusy(true);
    setProfileError(null);
    client.saveProfile(v).then(
      (saved) => {
        setEditing(saved.reachesProtected ? saved : null);
        setSavedReach(saved.reachesProtected ?? null);
        setFormTest(null);
        afterChange();
      },
      (e: unknown) => setProfileError(asErrorShape(e)),
    ).finally(() => setBusy(false));
  };
  const testUnsaved = (v: ProfileFormValue): void => {
    setBusy(true);
    setFormTest(null);
    client.testProfile({ profile: v }).then(setFormTest, (e: unknown) => setProfileError(asErrorShape(e))).finally(() => setBusy(false));
  };
  const testSaved = (p: ConnectionProfileDto): void => {
    setTests((m) => new Map(m).set(p.id, "testing"));
    client.testProfile({ id: p.id }).then(
      (r) => setTests((m) => new Map(m).set(p.id, r)),
      (e: unknown) => setTests((m) => new Map(m).set(p.id, { ok: false, message: asErrorShape(e).message, durationMs: 0, error: asErrorShape(e) })),
    );
  };
  const remove = (p: ConnectionProfileDto): void => {
    if (!window.confirm(`Remove the profile “${p.name}” and its saved password?`)) return;
    client.removeProfile({ id: p.id }).then(afterChange, (e: unknown) => setProfileError(asErrorShape(e)));
  };

  return (
    <section className="screen" aria-labelledby="env-title">
      <div className="screen-header">
        <h1 id="env-title">Environments</h1>
        <button type="button" className="btn" onClick={matrix.reload} disabled={matrix.load.state === "loading"}>
          {matrix.load.state === "loading" ? "Checking…" : "Check again"}
        </button>
      </div>
      {/* Outside the matrix's load: a reload after a resolve keeps each panel, and its retry, on screen. */}
      {(shown?.environments ?? []).map((s) => (
        <UnresolvedForEnvironment key={s.environment.name} environment={s.environment.name} protected={s.environment.protected} confirmationName={s.environment.confirmationName ?? null} unresolved={s.unresolved ?? []} onResolved={afterChange} />
      ))}
      {!shown && cheapMatrix.state !== "error" && matrix.load.state !== "error" && <Loading what="environments" />}
      {cheapMatrix.state === "error" && !shown && <ErrorBox error={cheapMatrix.error} onRetry={matrix.reload} />}
      {matrix.load.state === "error" && <ErrorBox error={matrix.load.error} onRetry={matrix.reload} />}
      {shown &&
        (shown.environments.length === 0 ? (
          <Empty>No environments. Add one to strata.config.json or save a connection profile below.</Empty>
        ) : (
          <EnvironmentMatrixView
            matrix={shown}
            headNames={headNames}
            driftChecking={withDrift === null}
            onHistory={(env) => navigate({ screen: "history", environment: env })}
            onUpgrade={(env) => navigate({ screen: "apply", environment: env, target: "heads", command: "upgrade" })}
            onGraph={(env) => {
              setActiveEnvironment(env);
              navigate({ screen: "graph" });
            }}
          />
        ))}
      {(shown?.environments ?? []).map((s) => s.knex && <KnexGaps key={s.environment.name} environment={s.environment.name} knex={s.knex} />)}
      {profiles.load.state === "loading" && <Loading what="connection profiles" />}
      {profiles.load.state === "error" && <ErrorBox error={profiles.load.error} onRetry={profiles.reload} />}
      {profiles.load.state === "ok" && (
        <ProfilesPanel list={profiles.load.data} testResults={tests} onAdd={() => { setEditing("new"); setSavedReach(null); }} onEdit={(p) => { setEditing(p); setSavedReach(null); }} onTest={testSaved} onRemove={remove} />
      )}
      {editing && (
        <ProfileForm
          key={editing === "new" ? "new" : editing.id}
          initial={editing === "new" ? null : editing}
          passwordsAvailable={profiles.load.state === "ok" ? profiles.load.data.passwordStorage.available : false}
          busy={busy}
          onSave={save}
          onTest={testUnsaved}
          reachesProtected={savedReach}
          onCancel={() => {
            setEditing(null);
            setSavedReach(null);
            setFormTest(null);
            setProfileError(null);
          }}
        />
      )}
      {formTest && <div className={`notice ${formTest.ok ? "ok" : "error"}`} role="status">{formTest.ok ? `Connected in ${formTest.durationMs} ms. ${formTest.message}` : formTest.message}</div>}
      {profileError && <ErrorBox error={profileError} />}
    </section>
  );
}
