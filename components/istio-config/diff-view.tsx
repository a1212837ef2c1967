'use client';
import { yaml } from '@codemirror/lang-yaml';
// Two versions of a resource's YAML side by side, read-only, the changes marked (CodeMirror's merge view).
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';

export function DiffView({ a, b, aLabel, bLabel }: { a: string; b: string; aLabel: string; bLabel: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const side = (label: string) => [
      yaml(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
    ];
    const view = new MergeView({
      parent: host.current,
      a: { doc: a, extensions: side(aLabel) },
      b: { doc: b, extensions: side(bLabel) },
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
  }, [a, b, aLabel, bLabel]);
  return (
    <div>
      <div className="grid grid-cols-2 text-xs font-medium text-slate-700 dark:text-slate-200">
        <span>{aLabel}</span>
        <span>{bLabel}</span>
      </div>
      <div
        ref={host}
        data-testid="diff-view"
        className="max-h-[50vh] overflow-auto rounded border border-slate-300 bg-white text-sm text-slate-900 dark:border-slate-700"
      />
    </div>
  );
}
