'use client';
import { useQuery } from '@tanstack/react-query';
// The trace search form (Jaeger UI's fields). Submitting writes the search into the URL; the page searches
// whatever the URL says, so a search can be shared, reloaded, and stepped back through.
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { traceOperationsOptions, traceServicesOptions } from '@/lib/queries/traces';
import {
  LOOKBACKS,
  MAX_LIMIT,
  parseGoDuration,
  parseTags,
  type SearchState,
  searchStateToParams,
} from '@/lib/traces/search-params';

const INPUT =
  'w-full rounded border border-slate-300 bg-transparent px-2 py-1 text-sm dark:border-slate-700 focus-visible:outline-2 focus-visible:outline-sky-500';
const LABEL = 'flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300';

export function SearchForm({ initial }: { initial: SearchState }) {
  const router = useRouter();
  const [s, setS] = useState<SearchState>(initial);
  const services = useQuery(traceServicesOptions());
  const operations = useQuery(traceOperationsOptions(s.service ?? ''));
  const tagsCheck = s.tags ? parseTags(s.tags) : undefined;
  const badDuration = (v?: string) => v !== undefined && v !== '' && parseGoDuration(v) === undefined;
  const invalid = (tagsCheck && !tagsCheck.ok) || badDuration(s.minDuration) || badDuration(s.maxDuration);
  const set = (patch: Partial<SearchState>) => setS((prev) => ({ ...prev, ...patch }));
  const text = (v: string) => (v.trim() === '' ? undefined : v);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    router.push(`/traces?${searchStateToParams(s)}`);
  };

  return (
    <form onSubmit={submit} aria-label="Search traces" className="flex flex-col gap-3">
      <label className={LABEL}>
        Service
        <select
          value={s.service ?? ''}
          onChange={(e) => set({ service: text(e.target.value), operation: undefined })}
          className={INPUT}
        >
          <option value="">All services</option>
          {services.data?.services.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {s.service && !services.data?.services.includes(s.service) ? (
            <option value={s.service}>{s.service}</option>
          ) : null}
        </select>
      </label>
      <label className={LABEL}>
        Operation
        <select
          value={s.operation ?? ''}
          onChange={(e) => set({ operation: text(e.target.value) })}
          className={INPUT}
          disabled={!s.service}
        >
          <option value="">All operations</option>
          {operations.data?.operations.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {s.operation && !operations.data?.operations.includes(s.operation) ? (
            <option value={s.operation}>{s.operation}</option>
          ) : null}
        </select>
      </label>
      <label className={LABEL}>
        Tags
        <input
          value={s.tags ?? ''}
          onChange={(e) => set({ tags: text(e.target.value) })}
          placeholder="http.status_code=503 error=true"
          aria-invalid={tagsCheck !== undefined && !tagsCheck.ok}
          className={INPUT}
        />
        {tagsCheck && !tagsCheck.ok ? (
          <span className="font-normal text-red-700 dark:text-red-300">{tagsCheck.error}</span>
        ) : null}
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={s.errorsOnly}
          onChange={(e) => set({ errorsOnly: e.target.checked })}
        />
        Errors only
      </label>
      <div className="grid grid-cols-2 gap-2">
        <label className={LABEL}>
          Min duration
          <input
            value={s.minDuration ?? ''}
            onChange={(e) => set({ minDuration: text(e.target.value) })}
            placeholder="e.g. 100ms"
            aria-invalid={badDuration(s.minDuration)}
            className={INPUT}
          />
        </label>
        <label className={LABEL}>
          Max duration
          <input
            value={s.maxDuration ?? ''}
            onChange={(e) => set({ maxDuration: text(e.target.value) })}
            placeholder="e.g. 1.2s"
            aria-invalid={badDuration(s.maxDuration)}
            className={INPUT}
          />
        </label>
      </div>
      <div className="grid grid-cols-2 gap-2">
        <label className={LABEL}>
          Lookback
          <select
            value={s.lookback}
            onChange={(e) => set({ lookback: e.target.value as SearchState['lookback'] })}
            className={INPUT}
          >
            {LOOKBACKS.map((l) => (
              <option key={l} value={l}>
                last {l}
              </option>
            ))}
          </select>
        </label>
        <label className={LABEL}>
          Limit
          <input
            type="number"
            min={1}
            max={MAX_LIMIT}
            value={s.limit}
            onChange={(e) => set({ limit: Math.min(MAX_LIMIT, Math.max(1, Number(e.target.value) || 1)) })}
            className={INPUT}
          />
        </label>
      </div>
      <button
        type="submit"
        disabled={invalid}
        className="rounded bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800 disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
      >
        Find traces
      </button>
    </form>
  );
}
