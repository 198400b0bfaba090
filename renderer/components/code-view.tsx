import { lazy, Suspense } from "react";

// CodeMirror is most of the bundle; the graph opens without it and it loads with the first code shown.
const loadCodeEditor = () => import("./code-editor.js");
const CodeEditor = lazy(loadCodeEditor);

/**
 * Starts loading CodeMirror now, for a screen that asked the engine for code it will show (the
 * apply screen's plan): the script is fetched and compiled while the engine works, not after.
 */
export function preloadCodeView(): void {
  // A failed load is shown where the code is drawn (React.lazy imports it again there).
  loadCodeEditor().catch(() => undefined);
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
    <Suspense fallback={<pre className="sql" data-testid={`code-${props.label}-loading`}>{props.code}</pre>}>
      <CodeEditor {...props} />
    </Suspense>
  );
}
