import { routeHref, type Route } from "./route.js";

/** Goes to a route (adds a browser history entry). Kept apart from route.ts, which is pure and unit-tested under Node. */
export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

/**
 * Puts a route in the address without a history entry or a hashchange (a form being typed
 * into: each keystroke would otherwise be a Back step and re-render the app from the route).
 */
export function replaceRoute(route: Route): void {
  const href = routeHref(route);
  if (window.location.hash !== href) window.history.replaceState(window.history.state, "", href);
}
