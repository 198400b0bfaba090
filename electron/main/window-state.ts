import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Where and how big the window was when it closed. */
export interface WindowState {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

/** The size a first start opens with. */
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };

/** Reads the remembered window state; anything unreadable gives the default. */
export function loadWindowState(file: string): WindowState {
  if (!existsSync(file)) return DEFAULT_WINDOW_STATE;
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as Partial<WindowState>;
    const size = (n: unknown, min: number): number | undefined => (typeof n === "number" && Number.isFinite(n) && n >= min ? Math.round(n) : undefined);
    return {
      ...(typeof s.x === "number" && Number.isFinite(s.x) ? { x: Math.round(s.x) } : {}),
      ...(typeof s.y === "number" && Number.isFinite(s.y) ? { y: Math.round(s.y) } : {}),
      width: size(s.width, 400) ?? DEFAULT_WINDOW_STATE.width,
      height: size(s.height, 300) ?? DEFAULT_WINDOW_STATE.height,
      maximized: s.maximized === true,
    };
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

/** Remembers the window state for the next start. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2) + "\n", "utf8");
}
