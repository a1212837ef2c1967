'use client';
import { forceLinting } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
// The YAML editor (CodeMirror 6): schema-aware completion, inline errors, keyboard-usable (Tab moves
// focus on, Esc leaves the editor). Controlled by text: the parent owns the YAML.
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { MeshResource } from '@/lib/mesh-config/schema';
import { editorExtensions } from './editor-extensions';
import { YAML_TOKEN_COLORS, yamlHighlight } from './yaml-highlight';

export interface YamlEditorProps {
  value: string;
  onChange: (text: string) => void;
  label: string;
  others: readonly MeshResource[];
  serverCauses?: { text: string; causes: { field: string; message: string }[] };
  /** Where focus goes on Esc. */
  onLeave?: () => void;
}

export function YamlEditor({ value, onChange, label, others, serverCauses, onLeave }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The extensions read the latest props through refs, so the editor is built once.
  const latest = useRef({ value, onChange, others, serverCauses, onLeave });
  latest.current = { value, onChange, others, serverCauses, onLeave };

  // biome-ignore lint/correctness/useExhaustiveDependencies: built once; `value` changes are applied below
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          // Before basicSetup: its default highlight style is a fallback, used only without this one.
          yamlHighlight,
          basicSetup,
          editorExtensions(
            { others: () => latest.current.others, serverCauses: () => latest.current.serverCauses },
            () => latest.current.onLeave?.(),
          ),
          // tabindex: the scroller's content is focusable for axe too (contenteditable alone is not counted).
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            // A value set from outside (a reload, a merge) is not an edit.
            const text = u.state.doc.toString();
            if (text !== latest.current.value) latest.current.onChange(text);
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // A new value from outside (a reload, a merge): replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  // New server causes or a new mesh: lint again now.
  useEffect(() => {
    if (view.current && (serverCauses || others)) forceLinting(view.current);
  }, [serverCauses, others]);

  return (
    <div>
      <div
        ref={host}
        data-testid="yaml-editor"
        className={`${YAML_TOKEN_COLORS} overflow-hidden rounded border border-slate-300 text-sm dark:border-slate-700 [&_.cm-editor]:max-h-[60vh] [&_.cm-scroller]:overflow-auto`}
      />
      <p id="yaml-editor-help" className="mt-1 text-xs text-slate-600 dark:text-slate-300">
        Ctrl+Space suggests fields; errors are underlined (F8 goes to the next one). Esc leaves the editor.
      </p>
    </div>
  );
}
