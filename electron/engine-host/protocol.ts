// The messages between Electron's main process and the engine's utility process (issue 18). The
// same messages travel over Electron's parentPort and, in the tests, over child_process.fork's
// IPC channel: both carry structured-clone data, so every message is plain JSON-like data.
import type { ApiCallName, ApiEnvelope } from "../../shared/api-calls.js";
import type { PasswordStorageDto, StrataEvent } from "../../shared/api.js";
import type { ErrorShape } from "../../shared/errors.js";

/** What the engine process needs to start its service; sent once, first. */
export interface EngineInit {
  /** The project to open first (null: the last recent project, or none). */
  readonly projectRoot: string | null;
  /** The app's user data folder: profiles.json and recent-projects.json live there. */
  readonly userData: string;
  /** What main's safeStorage offers: the engine asks main to encrypt only when it is available. */
  readonly passwordStorage: PasswordStorageDto;
  /** better-sqlite3's compiled part for this runtime's ABI (null: the one in node_modules). */
  readonly sqliteNativeBinding: string | null;
  /** Make the demo project and open it (`--demo`); wins over projectRoot. */
  readonly demo: boolean;
  /** Open the most recent project when projectRoot is null (a first start, not a restart after a crash with none open). */
  readonly openRecent: boolean;
}

/** A secret operation the engine asks main for: safeStorage lives in main, passwords never reach the renderer. */
export type SecretOperation = "encrypt" | "decrypt";

/** Main to engine. */
export type MainToEngine =
  | { readonly kind: "init"; readonly init: EngineInit }
  | { readonly kind: "request"; readonly id: number; readonly call: ApiCallName; readonly payload: unknown }
  /** The menu's "Open Demo Project": made (SQLite migrations run) and opened here, answered like openProject. */
  | { readonly kind: "open-demo"; readonly id: number }
  | { readonly kind: "secret-reply"; readonly id: number; readonly ok: true; readonly value: string }
  | { readonly kind: "secret-reply"; readonly id: number; readonly ok: false; readonly error: ErrorShape };

/** Engine to main. */
export type EngineToMain =
  | { readonly kind: "ready" }
  | { readonly kind: "response"; readonly id: number; readonly envelope: ApiEnvelope<unknown> }
  | { readonly kind: "event"; readonly event: StrataEvent }
  | { readonly kind: "secret-request"; readonly id: number; readonly op: SecretOperation; readonly text: string };

/** One end of the channel, whichever transport carries it. */
export interface MessagePortLike<In, Out> {
  post(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}
