import type { StrataClient } from "../../shared/api.js";
import { httpApiFromLocation } from "../../shared/http-client.js";

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    readonly strata?: StrataClient;
  }
}

/** The API this renderer talks to: the preload's in Electron, else strata serve's from the page URL's token. */
export function obtainClient(): StrataClient | null {
  if (window.strata) return window.strata;
  return httpApiFromLocation(window.location);
}
