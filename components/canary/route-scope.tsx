'use client';
// Which routes of the VirtualService the split applies to: one route, or all of the service's.
import type { RouteScope, RouteSummary } from '@/lib/canary/virtual-service';

export function RouteScopeSelect({
  routes,
  value,
  onChange,
}: {
  routes: readonly RouteSummary[];
  value: RouteScope;
  onChange(scope: RouteScope): void;
}) {
  const label = (r: RouteSummary) =>
    `${r.name ?? `route ${r.index + 1}`} — ${r.match ? `when ${r.match}` : 'all other requests'}`;
  return (
    <label className="flex flex-wrap items-center gap-2 text-sm">
      <span className="font-medium">Applies to</span>
      <select
        value={String(value)}
        onChange={(e) => onChange(e.currentTarget.value === 'all' ? 'all' : Number(e.currentTarget.value))}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
      >
        {routes.map((r) => (
          <option key={r.index} value={r.index}>
            {label(r)}
          </option>
        ))}
        {routes.length > 1 ? <option value="all">All routes</option> : null}
      </select>
    </label>
  );
}
