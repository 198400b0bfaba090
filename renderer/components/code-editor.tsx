import { javascript } from "@codemirror/lang-javascript";
import { sql } from "@codemirror/lang-sql";
import { oneDark } from "@codemirror/theme-one-dark";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { useMemo } from "react";
import { useDarkMode } from "../hooks/use-dark-mode.js";

/** Read-only CodeMirror with TypeScript or SQL highlighting in the system's theme; loaded on demand through CodeView. */
export default function CodeEditor({ code, language, label }: { readonly code: string; readonly language: "typescript" | "sql"; readonly label: string }) {
  const dark = useDarkMode();
  const extensions = useMemo(
    () => [language === "sql" ? sql() : javascript({ typescript: true }), EditorView.lineWrapping, EditorView.contentAttributes.of({ "aria-label": label })],
    [language, label],
  );
  return (
    <div className="code-box" data-testid={`code-${label}`}>
      <CodeMirror value={code} readOnly editable={false} theme={dark ? oneDark : "light"} extensions={extensions} basicSetup={{ foldGutter: false, highlightActiveLine: false, highlightActiveLineGutter: false }} />
    </div>
  );
}
