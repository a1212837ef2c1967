// What the inventory's route handlers and pages accept: the rate window, an item's identity (checked
// names, never pasted into PromQL unescaped), and the metrics tab's choices.
import { METRIC_GROUPS, type MetricGroup } from './promql';
import { ITEM_KINDS, type ItemKind } from './types';

export const DURATIONS = ['1m', '5m', '10m', '30m', '1h'] as const;
export type Duration = (typeof DURATIONS)[number];
export const DEFAULT_DURATION: Duration = '5m';

/** The metrics tab's time windows, with their step (s) and rate window. */
export const METRIC_WINDOWS = {
  '10m': { seconds: 600, step: 15, rate: '1m' },
  '30m': { seconds: 1800, step: 30, rate: '1m' },
  '1h': { seconds: 3600, step: 60, rate: '2m' },
  '3h': { seconds: 10800, step: 180, rate: '6m' },
  '6h': { seconds: 21600, step: 360, rate: '12m' },
} as const;
export type MetricWindow = keyof typeof METRIC_WINDOWS;
export const DEFAULT_METRIC_WINDOW: MetricWindow = '30m';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Workload, app and service names, and external hosts. */
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/;

export function parseDuration(v: string | null | undefined): Duration {
  return (DURATIONS as readonly string[]).includes(v ?? '') ? (v as Duration) : DEFAULT_DURATION;
}

export type ItemParams =
  | { ok: true; kind: ItemKind; namespace: string; name: string }
  | { ok: false; message: string };

export function parseItem(kind: string, namespace: string, name: string): ItemParams {
  if (!(ITEM_KINDS as readonly string[]).includes(kind))
    return { ok: false, message: `kind: one of ${ITEM_KINDS.join(', ')}` };
  if (!NAMESPACE.test(namespace))
    return { ok: false, message: `namespace: ${namespace} is not a namespace name` };
  if (!NAME.test(name)) return { ok: false, message: `name: ${name} is not a ${kind.slice(0, -1)} name` };
  return { ok: true, kind: kind as ItemKind, namespace, name };
}

export interface MetricParams {
  direction: 'inbound' | 'outbound';
  reporter: 'source' | 'destination';
  by: MetricGroup;
  window: MetricWindow;
}

export function parseMetricParams(p: URLSearchParams, kind: ItemKind): MetricParams {
  const direction = p.get('direction') === 'outbound' && kind !== 'services' ? 'outbound' : 'inbound';
  const reporter =
    p.get('reporter') === 'source' || p.get('reporter') === 'destination'
      ? (p.get('reporter') as 'source' | 'destination')
      : direction === 'inbound'
        ? 'destination'
        : 'source';
  const by = (METRIC_GROUPS as readonly string[]).includes(p.get('by') ?? '')
    ? (p.get('by') as MetricGroup)
    : 'none';
  const w = p.get('window') ?? '';
  const window = w in METRIC_WINDOWS ? (w as MetricWindow) : DEFAULT_METRIC_WINDOW;
  return { direction, reporter, by, window };
}
