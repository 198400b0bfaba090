import { createContext, useContext } from "react";
import type { StrataClient } from "../../shared/api.js";

/** The StrataClient every container reaches the engine through. */
export const ClientContext = createContext<StrataClient | null>(null);

/** The StrataClient of the app; containers only (views take props). */
export function useClient(): StrataClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("useClient outside <ClientContext.Provider>");
  return client;
}
