import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Builds the renderer into dist/renderer with relative URLs, so strata serve and Electron's file:// both load it. */
export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react()],
  build: {
    outDir: "../dist/renderer",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
