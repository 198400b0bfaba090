import { createElement, lazy, useState, type ComponentType } from "react";

/** A component loaded on demand that can be loaded ahead (when the browser is idle, or on the click that needs it). */
export interface Preloadable<P extends object> {
  readonly Component: ComponentType<P>;
  /** Starts loading the script now; a failed load is retried by the next call (and shown where the component is drawn). */
  readonly preload: () => Promise<unknown>;
}

/**
 * React.lazy, except that once the script is in the component is drawn at once. React.lazy
 * suspends on its first render even when the script has already loaded, and React holds a
 * revealed Suspense boundary until 300 ms after its fallback was shown (issue 19 point 7: the
 * apply screen's plan was asked for ~350 ms after the click, its SQL pane drawn ~300 ms late).
 */
export function preloadable<P extends object>(load: () => Promise<ComponentType<P>>): Preloadable<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const preload = (): Promise<ComponentType<P>> =>
    (pending ??= load().then(
      (c) => (loaded = c),
      (e: unknown) => {
        pending = null;
        throw e;
      },
    ));
  const Lazy = lazy(() => preload().then((c) => ({ default: c })));
  function Component(props: P) {
    // Chosen once per mount: switching from Lazy to the loaded component would remount it and lose its state.
    const [ready] = useState(() => loaded);
    return createElement(ready ?? Lazy, props);
  }
  return { Component, preload: () => preload().catch(() => undefined) };
}
