'use client';
// One version's controls: a slider and a number field (both named "<version> weight"), a lock toggle,
// and the field's error. Native inputs, so arrows, Page Up/Down, Home and End work from the keyboard.
import { LockIcon } from '@/components/ui/lock-icon';
import type { VersionInfo } from '@/lib/canary/service-state';

export interface WeightRowProps {
  info: VersionInfo;
  weight: number;
  /** Text being typed into the number field (absent when not editing). */
  draft: string | undefined;
  locked: boolean;
  /** False when locked, or when no other unlocked version could take up a change. */
  movable: boolean;
  error?: string;
  onGestureStart(): void;
  onGestureEnd(): void;
  onSlide(value: number): void;
  onType(text: string): void;
  onToggleLock(): void;
}

export function WeightRow(p: WeightRowProps) {
  const v = p.info.version;
  const errorId = `weight-error-${v}`;
  const label = `${v} weight`;
  return (
    <div className="grid grid-cols-[4rem_1fr_5rem_auto] items-center gap-x-3 gap-y-1">
      <span className="font-mono text-sm font-medium" title={`${p.info.instances} instance(s)`}>
        {v}
        {p.info.inDestinationRule ? null : (
          <span
            className="ml-1 text-xs font-normal text-amber-700 dark:text-amber-300"
            title="Subset created on Apply"
          >
            new
          </span>
        )}
      </span>
      <input
        type="range"
        min={0}
        max={100}
        step={1}
        value={p.weight}
        aria-label={label}
        aria-valuetext={`${p.weight}%`}
        disabled={!p.movable}
        onFocus={p.onGestureStart}
        onPointerDown={p.onGestureStart}
        onBlur={p.onGestureEnd}
        onChange={(e) => p.onSlide(Number(e.currentTarget.value))}
        className="w-full accent-sky-700 disabled:opacity-50"
      />
      <input
        type="number"
        inputMode="numeric"
        min={0}
        max={100}
        step={1}
        value={p.draft ?? String(p.weight)}
        aria-label={label}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={p.error ? errorId : undefined}
        disabled={!p.movable}
        onFocus={p.onGestureStart}
        onBlur={p.onGestureEnd}
        onChange={(e) => p.onType(e.currentTarget.value)}
        className={`w-20 rounded-md border bg-white px-2 py-1 text-right tabular-nums dark:bg-slate-900 ${
          p.error ? 'border-red-600' : 'border-slate-300 dark:border-slate-700'
        } disabled:opacity-50`}
      />
      <button
        type="button"
        aria-pressed={p.locked}
        aria-label={`Lock ${v}`}
        title={
          p.locked ? `${v} is locked at ${p.weight}%` : `Keep ${v} at ${p.weight}% while moving the others`
        }
        onClick={p.onToggleLock}
        className={`rounded-md border px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 ${
          p.locked
            ? 'border-sky-700 bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-100'
            : 'border-slate-300 dark:border-slate-700'
        }`}
      >
        {p.locked ? (
          <>
            <LockIcon /> Locked
          </>
        ) : (
          'Lock'
        )}
      </button>
      {p.error ? (
        <p id={errorId} className="col-start-2 col-end-5 text-sm text-red-700 dark:text-red-300">
          {p.error}
        </p>
      ) : null}
    </div>
  );
}
