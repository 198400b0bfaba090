import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAppService, type AppService } from "../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../electron/engine/app-session/profile-store.js";

/** The GUI's service on a project, as `strata serve` builds it, with its own data folder; close() removes the folder. */
export function browserService(projectRoot: string): { readonly service: AppService; close(): void } {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "strata-service-data-"));
  const service = createAppService({ host: "browser", projectRoot, profiles: new ProfileStore(path.join(data, "profiles.json"), NO_PASSWORD_STORAGE), recentFile: null });
  return { service, close: () => fs.rmSync(data, { recursive: true, force: true }) };
}
