// A small inline chart of a namespace's inbound request rate: an SVG line, described in words; in
// words alone while Prometheus is still collecting the history, or when there is no traffic.
import { sparklineState } from '@/lib/inventory/overview';

const STATE_TEXT = { collecting: 'collecting rate history…', 'no-traffic': 'no traffic' } as const;

export function Sparkline({
  points,
  inboundRps,
  label,
}: {
  points: readonly [number, number][];
  /** The namespace's inbound rate now: tells an empty history of a quiet namespace from a young one. */
  inboundRps: number;
  label: string;
}) {
  const state = sparklineState(points, inboundRps);
  if (state !== 'line')
    return <span className="text-xs text-slate-600 dark:text-slate-300">{STATE_TEXT[state]}</span>;
  const w = 120;
  const h = 28;
  const t0 = (points[0] as [number, number])[0];
  const t1 = (points[points.length - 1] as [number, number])[0];
  const max = Math.max(...points.map(([, v]) => v), 1e-9);
  const d = points
    .map(
      ([t, v]) =>
        `${(((t - t0) / Math.max(t1 - t0, 1)) * w).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`,
    )
    .join(' ');
  return (
    <svg
      role="img"
      aria-label={label}
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      className="text-sky-700 dark:text-sky-300"
    >
      <polyline points={d} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
