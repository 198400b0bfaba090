import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAppService, type AppService, type SchemaDiffPort } from "../../electron/engine/app-session/app-service.js";
import { dispatch } from "../../electron/engine/app-session/api-dispatch.js";
import type { ApiCall, ApiRequest, ApiResponses } from "../../shared/api.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../electron/engine/app-session/profile-store.js";

/** The GUI's service on a project, as `strata serve` builds it, with its own data folder; close() removes the folder. */
export function browserService(projectRoot: string): { readonly service: AppService; close(): void } {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "strata-service-data-"));
  const service = createAppService({ host: "browser", projectRoot, profiles: new ProfileStore(path.join(data, "profiles.json"), NO_PASSWORD_STORAGE), recentFile: null });
  return { service, close: () => fs.rmSync(data, { recursive: true, force: true }) };
}

/** One call of the service as a host makes it (payload parsed at the boundary); a refusal throws its message, code and details. */
export async function callService<K extends ApiCall>(service: AppService, name: K, payload: ApiRequest<K>): Promise<ApiResponses[K]> {
  const r = await dispatch(service.handlers, name, payload, undefined);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value as ApiResponses[K];
}

/** The GUI's service on a project with schema diff wired in, its saved profiles in the project folder. */
export function diffService(projectRoot: string, schemaDiff: SchemaDiffPort): AppService {
  return createAppService({ host: "browser", projectRoot, profiles: new ProfileStore(path.join(projectRoot, ".profiles.json"), NO_PASSWORD_STORAGE), recentFile: null, schemaDiff });
}
