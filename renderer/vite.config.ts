import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import type { OutputBundle, OutputChunk } from "rolldown";

/** The chunk main.tsx imports at once: React, the app shell and the graph screen. */
const isFirstScreen = (chunk: OutputChunk): boolean => chunk.isDynamicEntry && (chunk.facadeModuleId ?? "").endsWith("/app/render-app.tsx");

/** The first screen's chunk and the chunks it imports but the entry (the page loads that already). */
function firstScreenChunks(bundle: OutputBundle): OutputChunk[] {
  const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === "chunk");
  const first = chunks.find(isFirstScreen);
  if (!first) return [];
  const imported = first.imports.map((f) => chunks.find((c) => c.fileName === f)).filter((c): c is OutputChunk => c !== undefined && !c.isEntry);
  return [first, ...imported];
}

/**
 * The first graph without waiting on script (issue 19 point 7, bench/graph-cold-trace.ts):
 * - the page's HTML names the first screen's scripts, so they are fetched with
 *   the entry script, not after it ran (each a turn of a server busy reading the project);
 * - those scripts start with V8's compile hint, so their functions are compiled on a background
 *   thread while they download, not one by one on the main thread when first called (a fresh
 *   profile has no code cache: lazy compiles were about a third of the main thread's CPU time
 *   to the first graph). Only these chunks: the other screens and CodeMirror stay lazy.
 */
function firstScreenPreload(): Plugin {
  return {
    name: "strata-first-screen-preload",
    apply: "build",
    enforce: "post",
    generateBundle: {
      // After minification and vite's own additions (its preload map goes first): the hint must be the file's first line.
      order: "post",
      handler(_options, bundle) {
        for (const chunk of firstScreenChunks(bundle)) chunk.code = `//# allFunctionsCalledOnLoad\n${chunk.code}`;
      },
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        if (!ctx.bundle) return [];
        // Scripts only: a style sheet named in the HTML holds the entry script until it is in, and with it the projectSummary request.
        return firstScreenChunks(ctx.bundle).map((c) => ({ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `./${c.fileName}` }, injectTo: "head" as const }));
      },
    },
  };
}

/** Builds the renderer into dist/renderer with relative URLs, so strata serve and Electron's file:// both load it. */
export default defineConfig({
  root: "renderer",
  base: "./",
  plugins: [react(), firstScreenPreload()],
  build: {
    outDir: "../dist/renderer",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
