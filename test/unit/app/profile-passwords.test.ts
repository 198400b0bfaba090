import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const storage = { available: true, backend: "gnome_libsecret" as string };

// An "encryption" that is easy to check: bytes reversed and xored, so the plain text never appears.
vi.mock("electron", () => ({
  safeStorage: {
    isEncryptionAvailable: () => storage.available,
    getSelectedStorageBackend: () => storage.backend,
    encryptString: (s: string) => Buffer.from([...Buffer.from(s, "utf8")].reverse().map((b) => b ^ 0x5a)),
    decryptString: (b: Buffer) => Buffer.from([...b].map((x) => x ^ 0x5a).reverse()).toString("utf8"),
  },
}));

const { passwordStorage, safeStorageCodec } = await import("../../../electron/main/safe-storage-codec.js");
const { ProfileStore } = await import("../../../electron/engine/app-session/profile-store.js");

const PASSWORD = "s3cret-P@ssw0rd";
let dir: string;
let file: string;

beforeEach(() => {
  storage.available = true;
  storage.backend = "gnome_libsecret";
  dir = mkdtempSync(path.join(os.tmpdir(), "strata-profiles-"));
  file = path.join(dir, "profiles.json");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const staging = { name: "staging", client: "pg" as const, host: "db.internal", port: 5433, user: "deploy", database: "app" };

describe("saved connection profiles", () => {
  it("store the password encrypted: the file never holds it, the list never returns it", () => {
    const store = new ProfileStore(file, safeStorageCodec);
    const saved = store.save({ ...staging, password: PASSWORD });
    const onDisk = readFileSync(file, "utf8");
    expect(onDisk).not.toContain(PASSWORD);
    expect(onDisk).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    expect(saved).toMatchObject({ hasPassword: true, displayTarget: "deploy@db.internal:5433/app" });
    expect(JSON.stringify(store.list())).not.toContain(PASSWORD);
    expect(Object.keys(saved)).not.toContain("password");
    const env = store.environment(saved.id, null);
    expect((env.knexConfig.connection as { password?: string }).password).toBe(PASSWORD);
    expect(env.displayTarget).not.toContain(PASSWORD);
  });

  it("keep the password when an edit leaves it out, and forget it when asked", () => {
    const store = new ProfileStore(file, safeStorageCodec);
    const saved = store.save({ ...staging, password: PASSWORD });
    const edited = store.save({ ...staging, id: saved.id, database: "app2" });
    expect(edited.hasPassword).toBe(true);
    expect((store.environment(saved.id, null).knexConfig.connection as { password?: string }).password).toBe(PASSWORD);
    expect(store.save({ ...staging, id: saved.id, clearPassword: true }).hasPassword).toBe(false);
    expect(readFileSync(file, "utf8")).not.toContain("passwordEncrypted");
  });

  it("refuse a password when the OS offers no encryption, and write nothing", () => {
    storage.available = false;
    const store = new ProfileStore(file, safeStorageCodec);
    expect(() => store.save({ ...staging, password: PASSWORD })).toThrow(expect.objectContaining({ code: "PASSWORD_STORAGE_UNAVAILABLE" }));
    expect(() => readFileSync(file, "utf8")).toThrow();
    expect(store.save(staging).hasPassword).toBe(false);
  });

  it("refuse a password on Linux when the backend is basic_text (plain text in disguise)", () => {
    storage.backend = "basic_text";
    expect(passwordStorage("linux")).toMatchObject({ available: false, backend: "basic_text" });
    expect(passwordStorage("linux").reason).toMatch(/plain text/);
    expect(passwordStorage("darwin")).toMatchObject({ available: true, backend: "keychain" });
    if (process.platform === "linux") {
      const store = new ProfileStore(file, safeStorageCodec);
      expect(() => store.save({ ...staging, password: PASSWORD })).toThrow(/plain text/);
    }
  });

  it("refuse a second profile with the same name and an incomplete one", () => {
    const store = new ProfileStore(file, safeStorageCodec);
    store.save(staging);
    expect(() => store.save(staging)).toThrow(/exists already/);
    expect(() => store.save({ name: "local", client: "better-sqlite3" })).toThrow(/SQLite profile needs the database file/);
    expect(store.remove(store.list()[0]!.id)).toBe(true);
    expect(store.list()).toEqual([]);
  });
});
