import { routeHref, type Route } from "./route.js";

/** Goes to a route (adds a browser history entry). Kept apart from route.ts, which is pure and unit-tested under Node. */
export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
