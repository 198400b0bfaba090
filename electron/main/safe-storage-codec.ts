import { safeStorage } from "electron";
import type { PasswordStorageDto } from "../../shared/api.js";
import { StrataError } from "../engine/errors.js";
import type { SecretCodec } from "../engine/app-session/profile-store.js";

/** What safeStorage offers on this machine, and why a password cannot be kept where it cannot. */
export function passwordStorage(platform: NodeJS.Platform = process.platform): PasswordStorageDto {
  if (!safeStorage.isEncryptionAvailable()) {
    return { available: false, backend: "none", reason: "the operating system offers no encryption for saved passwords here; passwords are not saved" };
  }
  if (platform === "linux") {
    const backend = safeStorage.getSelectedStorageBackend();
    // basic_text "encrypts" with a key built into Chromium: the file would hold a readable password.
    if (backend === "basic_text") {
      return {
        available: false,
        backend,
        reason: "no keyring (GNOME Keyring or KWallet) is running, so passwords would be stored as plain text; start one, or use ${VARIABLE} in strata.config.json",
      };
    }
    return { available: true, backend, reason: null };
  }
  return { available: true, backend: platform === "darwin" ? "keychain" : platform === "win32" ? "dpapi" : "os", reason: null };
}

/** Encrypts profile passwords with Electron's safeStorage (OS keychain / DPAPI / libsecret). */
export const safeStorageCodec: SecretCodec = {
  storage: () => passwordStorage(),
  encrypt(plain) {
    const s = passwordStorage();
    if (!s.available) throw new StrataError("PASSWORD_STORAGE_UNAVAILABLE", `the password was not saved: ${s.reason}`, { backend: s.backend });
    return safeStorage.encryptString(plain).toString("base64");
  },
  decrypt(stored) {
    try {
      return safeStorage.decryptString(Buffer.from(stored, "base64"));
    } catch {
      throw new StrataError("PASSWORD_STORAGE_UNAVAILABLE", "a saved password cannot be decrypted on this machine or account; edit the profile and type it again");
    }
  },
};
