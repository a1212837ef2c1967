'use client';
// A labelled <select> for toolbars (the label names the select alone, not its options).
import { useId } from 'react';

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (v: T) => void;
}) {
  const id = useId();
  return (
    <span className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="max-w-64 rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </span>
  );
}
