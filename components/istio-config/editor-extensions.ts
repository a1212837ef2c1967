// The CodeMirror extensions of the YAML editor: completion from the zod schema, lint from the schema,
// the checks beyond it and the server's 422 causes, and Esc to leave the editor (keyboard users).
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import { Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { causesToDiagnostics, diagnose } from '@/lib/istio-config/diagnostics';
import { suggestAt } from '@/lib/istio-config/schema-completion';
import type { MeshResource } from '@/lib/mesh-config/schema';

/** How long the lint waits after the last keystroke. */
export const LINT_DELAY_MS = 300;

function complete(ctx: CompletionContext): CompletionResult | null {
  const word = ctx.matchBefore(/[\w.-]*/);
  if (!word || (word.from === word.to && !ctx.explicit)) return null;
  const options = suggestAt(ctx.state.doc.toString(), word.from).map((s) => ({
    label: s.label,
    apply: s.apply,
    ...(s.detail ? { detail: s.detail } : {}),
    type: s.type === 'property' ? 'property' : 'enum',
  }));
  return options.length > 0 ? { from: word.from, options, validFor: /^[\w.-]*$/ } : null;
}

export interface LintSources {
  /** The rest of the mesh, for the checks beyond the schema. */
  others: () => readonly MeshResource[];
  /** The server's causes for `text` (a 422), shown while the text is unchanged. */
  serverCauses: () => { text: string; causes: { field: string; message: string }[] } | undefined;
}

export function editorExtensions(sources: LintSources, onLeave: () => void) {
  const lint = (view: EditorView): Diagnostic[] => {
    const text = view.state.doc.toString();
    const server = sources.serverCauses();
    const fromServer = server && server.text === text ? causesToDiagnostics(text, server.causes) : [];
    return [
      ...fromServer.map((d) => ({ ...d, source: 'control plane' })),
      ...diagnose(text, sources.others()),
    ];
  };
  return [
    yaml(),
    autocompletion({ override: [complete] }),
    linter(lint, { delay: LINT_DELAY_MS }),
    lintGutter(),
    // Below the completion keymap: Esc first closes an open completion, then leaves the editor.
    Prec.low(
      keymap.of([
        {
          key: 'Escape',
          run: (view) => {
            view.contentDOM.blur();
            onLeave();
            return true;
          },
        },
      ]),
    ),
    EditorView.contentAttributes.of({ 'aria-describedby': 'yaml-editor-help' }),
  ];
}
