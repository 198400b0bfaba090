// The preload: window.strata, one function per StrataApi call over ipcRenderer.invoke, plus the
// event stream. Nothing else crosses the bridge (STYLE.md point 5).
import { contextBridge, ipcRenderer } from "electron";
import { createBridge } from "./strata-bridge.js";

contextBridge.exposeInMainWorld(
  "strata",
  createBridge(
    (channel, payload) => ipcRenderer.invoke(channel, payload),
    (channel, listener) => {
      // The renderer gets the event's data, never the IpcRendererEvent (it holds `sender`).
      const wrapped = (_event: unknown, data: unknown): void => listener(data);
      ipcRenderer.on(channel, wrapped);
      return () => {
        ipcRenderer.removeListener(channel, wrapped);
      };
    },
  ),
);
