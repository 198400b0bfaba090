import { Suspense } from "react";
import { preloadable } from "./preloadable.js";

// CodeMirror is most of the bundle; the graph opens without it and it loads with the first code shown
// (or ahead, when the browser is idle after the first graph: app.tsx).
const codeEditor = preloadable(() => import("./code-editor.js").then((m) => m.default));
const CodeEditor = codeEditor.Component;

/**
 * Starts loading CodeMirror now, for a screen that asked the engine for code it will show (the
 * apply screen's plan): the script is fetched and compiled while the engine works, not after.
 */
export function preloadCodeView(): void {
  // A failed load is shown where the code is drawn (React.lazy imports it again there).
  void codeEditor.preload();
}

/** Lines the plain fallback shows while CodeMirror loads: a screenful and more, not a 2,000-step plan's SQL to lay out. */
const FALLBACK_LINES = 200;

function firstLines(code: string): string {
  let at = -1;
  for (let n = 0; n < FALLBACK_LINES; n++) {
    at = code.indexOf("\n", at + 1);
    if (at < 0) return code;
  }
  return `${code.slice(0, at)}\n…`;
}

/** Read-only code with syntax highlighting (TypeScript or SQL), in the system's theme. */
export function CodeView(props: {
  readonly code: string;
  readonly language: "typescript" | "sql";
  readonly label: string;
  /** Statements whose lines are marked as losing data (issue 19: drops and narrowed types on the revision page). */
  readonly marked?: readonly string[];
}) {
  return (
    <Suspense fallback={<pre className="sql" data-testid={`code-${props.label}-loading`}>{firstLines(props.code)}</pre>}>
      <CodeEditor {...props} />
    </Suspense>
  );
}
