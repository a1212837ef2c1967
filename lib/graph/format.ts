// Numbers of the graph in words and short labels (rates, shares, latency), for labels and panels.

export function formatRps(v: number): string {
  if (v === 0) return '0 rps';
  if (v < 0.01) return '<0.01 rps';
  if (v < 10) return `${v.toFixed(2)} rps`;
  if (v < 1000) return `${v.toFixed(1)} rps`;
  return `${(v / 1000).toFixed(1)}k rps`;
}

/** A 0..1 share as a percentage. */
export function formatShare(v: number): string {
  return formatPercent(v * 100);
}

/** A 0..100 value as a percentage. */
export function formatPercent(v: number): string {
  if (v === 0) return '0%';
  if (v < 0.1) return '<0.1%';
  return `${v < 10 ? v.toFixed(1) : v.toFixed(0)}%`;
}

export function formatMs(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 1000) return `${v.toFixed(v < 10 ? 1 : 0)} ms`;
  return `${(v / 1000).toFixed(2)} s`;
}

/** Bytes per second, as Kiali labels a TCP edge (`1.2 kB/s`, decimal units). */
export function formatBytesRate(v: number): string {
  if (!(v > 0)) return '0 B/s';
  if (v < 1000) return `${v < 10 ? v.toFixed(1) : v.toFixed(0)} B/s`;
  if (v < 1e6) return `${(v / 1e3).toFixed(1)} kB/s`;
  if (v < 1e9) return `${(v / 1e6).toFixed(1)} MB/s`;
  return `${(v / 1e9).toFixed(1)} GB/s`;
}
