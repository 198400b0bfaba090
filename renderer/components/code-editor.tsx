import { javascript } from "@codemirror/lang-javascript";
import { sql } from "@codemirror/lang-sql";
import { oneDark } from "@codemirror/theme-one-dark";
import CodeMirror, { Decoration, EditorView, RangeSetBuilder, type DecorationSet, type Extension } from "@uiw/react-codemirror";
import { useMemo } from "react";
import { useDarkMode } from "../hooks/use-dark-mode.js";

/** Read-only CodeMirror with TypeScript or SQL highlighting in the system's theme; loaded on demand through CodeView. */
export default function CodeEditor({ code, language, label, marked }: { readonly code: string; readonly language: "typescript" | "sql"; readonly label: string; readonly marked?: readonly string[] }) {
  const dark = useDarkMode();
  const extensions = useMemo(
    () => [
      language === "sql" ? sql() : javascript({ typescript: true }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": label }),
      ...(marked?.length ? [markedLines(marked)] : []),
    ],
    [language, label, marked],
  );
  return (
    <div className="code-box" data-testid={`code-${label}`}>
      <CodeMirror value={code} readOnly editable={false} theme={dark ? oneDark : "light"} extensions={extensions} basicSetup={{ foldGutter: false, highlightActiveLine: false, highlightActiveLineGutter: false }} />
    </div>
  );
}

const LOSS_LINE = Decoration.line({ class: "cm-loss-line", attributes: { "data-loss": "true", title: "loses data: drops or narrows something" } });

/** Marks each line where one of the statements starts (its first line, as the SQL pane prints it). */
function markedLines(statements: readonly string[]): Extension {
  const starts = statements.map((s) => s.split("\n")[0]!.trim().replace(/;$/, "")).filter((s) => s.length > 0);
  return EditorView.decorations.of((view): DecorationSet => {
    const b = new RangeSetBuilder<Decoration>();
    for (let n = 1; n <= view.state.doc.lines; n++) {
      const line = view.state.doc.line(n);
      const text = line.text.trim();
      if (starts.some((s) => text.startsWith(s))) b.add(line.from, line.from, LOSS_LINE);
    }
    return b.finish();
  });
}
