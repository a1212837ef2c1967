'use client';
// Configured vs observed: the split the routes configure beside the share of requests each version
// actually served (Prometheus, `istio_requests_total`), polled so a shift is seen converging.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Table } from '@/components/ui/table';
import { OBSERVED_WINDOWS, type ObservedWindow } from '@/lib/canary/observed';
import type { CanaryState } from '@/lib/canary/service-state';
import { observedSplitOptions } from '@/lib/queries/canary';
import { SplitBar } from './split-bar';

export function ObservedSplitView({ state }: { state: CanaryState }) {
  const { name, namespace } = state.service;
  const [window, setWindow] = useState<ObservedWindow>('30s');
  const observed = useQuery(observedSplitOptions(namespace, name, window));
  const data = observed.data;
  const shareOf = (label: string) => data?.shares.find((s) => s.version === label);
  const rows = state.versions.map((v, index) => ({
    version: v.version,
    index,
    configured: state.virtualService
      ? (state.split.find((s) => s.version === v.version)?.weight ?? 0)
      : undefined,
    percent: shareOf(v.label)?.percent ?? 0,
    rps: shareOf(v.label)?.rps ?? 0,
  }));
  return (
    <section aria-labelledby="observed-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="observed-heading" className="text-base font-semibold">
          Observed split
        </h2>
        <label className="flex items-center gap-2 text-sm">
          Window
          <select
            value={window}
            onChange={(e) => setWindow(e.currentTarget.value as ObservedWindow)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            {OBSERVED_WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
      </div>
      {observed.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {observed.error.message}
        </p>
      ) : null}
      {data && data.totalRps === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          No requests to {name} in the last {window}.
        </p>
      ) : null}
      <SplitBar parts={rows.map((r) => ({ version: r.version, percent: r.percent, index: r.index }))} />
      <Table
        rows={rows}
        rowKey={(r) => r.version}
        rowHeaders
        columns={[
          { header: 'Version', className: 'font-mono', cell: (r) => r.version },
          {
            header: 'Configured',
            className: 'tabular-nums',
            cell: (r) => (r.configured === undefined ? '—' : `${r.configured}%`),
          },
          {
            header: 'Observed',
            className: 'tabular-nums',
            cell: (r) => (
              <>
                <meter
                  aria-label={`${r.version} observed`}
                  min={0}
                  max={100}
                  value={Math.round(r.percent * 10) / 10}
                  className="mr-2 w-20 align-middle"
                />
                {data ? `${r.percent.toFixed(1)}%` : '…'}
              </>
            ),
          },
          { header: 'req/s', className: 'text-right tabular-nums', cell: (r) => r.rps.toFixed(2) },
        ]}
      />
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Rate over {window}, {data?.reporter === 'destination' ? 'destination' : 'source'}-reported
        {data && data.unknownRps > 0
          ? `; ${data.unknownRps.toFixed(2)} req/s failed before reaching a version`
          : ''}
        . Requests matched by header routes are included.
      </p>
    </section>
  );
}
