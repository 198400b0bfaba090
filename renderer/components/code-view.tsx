import { lazy, Suspense } from "react";

// CodeMirror is most of the bundle; the graph opens without it and it loads with the first code shown.
const CodeEditor = lazy(() => import("./code-editor.js"));

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
