'use client';
// A labelled text input that commits on Enter or blur (not on every key), with an error message.
import { useEffect, useId, useState } from 'react';

export function TextField({
  label,
  value,
  placeholder,
  error,
  onCommit,
  width = 'w-40',
}: {
  label: string;
  value: string;
  placeholder?: string;
  error?: string;
  onCommit: (v: string) => void;
  width?: string;
}) {
  const [draft, setDraft] = useState(value);
  const errorId = useId();
  useEffect(() => setDraft(value), [value]);
  return (
    <label className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
      <span>{label}</span>
      <input
        className={`${width} rounded border bg-white px-1.5 py-1 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:bg-slate-900 dark:text-slate-100 ${
          error ? 'border-red-500' : 'border-slate-300 dark:border-slate-700'
        }`}
        value={draft}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft !== value && onCommit(draft)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit(draft);
          if (e.key === 'Escape') setDraft(value);
        }}
      />
      {error ? (
        <span id={errorId} className="text-red-600 dark:text-red-400">
          {error}
        </span>
      ) : null}
    </label>
  );
}
