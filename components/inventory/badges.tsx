// Health and sidecar badges: a shape and a word, never colour alone, readable in light and dark.
import { HEALTH_WORDS } from '@/lib/inventory/health';
import type { Health, SidecarState } from '@/lib/inventory/types';

const HEALTH_STYLE: Record<Health, { mark: string; className: string }> = {
  healthy: { mark: '●', className: 'text-green-800 dark:text-green-300' },
  degraded: { mark: '▲', className: 'text-amber-800 dark:text-amber-300' },
  failure: { mark: '✖', className: 'text-red-700 dark:text-red-300' },
  idle: { mark: '○', className: 'text-slate-600 dark:text-slate-300' },
};

export function HealthBadge({ health }: { health: Health }) {
  const s = HEALTH_STYLE[health];
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap ${s.className}`} data-health={health}>
      <span aria-hidden="true">{s.mark}</span>
      {HEALTH_WORDS[health]}
    </span>
  );
}

/** Kiali's "Missing Sidecar" badge; nothing when the sidecar reports, a quiet word when unknown. */
export function SidecarBadge({ state }: { state: SidecarState }) {
  if (state === 'missing')
    return (
      <span className="whitespace-nowrap rounded border border-amber-600 px-1 text-xs font-medium text-amber-900 dark:border-amber-400 dark:text-amber-200">
        Missing sidecar
      </span>
    );
  return (
    <span className="whitespace-nowrap text-xs text-slate-600 dark:text-slate-300">
      {state === 'present' ? 'Sidecar reports' : 'Not known (no traffic)'}
    </span>
  );
}

export function LabelChips({ labels, only }: { labels: Record<string, string>; only?: readonly string[] }) {
  const entries = Object.entries(labels).filter(([k]) => !only || only.includes(k));
  if (entries.length === 0) return <span className="text-slate-600 dark:text-slate-300">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {entries.map(([k, v]) => (
        <span
          key={k}
          className="rounded bg-slate-100 px-1 font-mono text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-100"
        >
          {k}={v}
        </span>
      ))}
    </span>
  );
}
