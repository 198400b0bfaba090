import { useCallback, useEffect, useRef, useState } from "react";
import { asErrorShape } from "../../shared/api-errors.js";
import type { ErrorShape } from "../../shared/errors.js";

/** The state of something being fetched. */
export type Load<T> =
  | { readonly state: "loading"; readonly previous: T | null }
  | { readonly state: "ok"; readonly data: T }
  | { readonly state: "error"; readonly error: ErrorShape };

/**
 * Runs `fetcher` when deps change and on reload() (not while `enabled` is false); a result that arrives after a newer
 * request started is dropped, so a slow answer never overwrites a newer one.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[], enabled = true): { readonly load: Load<T>; readonly reload: () => void } {
  const [load, setLoad] = useState<Load<T>>({ state: "loading", previous: null });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const last = useRef<T | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setLoad({ state: "loading", previous: last.current });
    fetcher().then(
      (data) => {
        if (mine !== seq.current) return;
        last.current = data;
        setLoad({ state: "ok", data });
      },
      (e: unknown) => {
        if (mine === seq.current) setLoad({ state: "error", error: asErrorShape(e) });
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { load, reload };
}

/** The data of a load, or what it had before a reload started. */
export function loadedData<T>(load: Load<T>): T | null {
  if (load.state === "ok") return load.data;
  if (load.state === "loading") return load.previous;
  return null;
}
