// The tabs of a detail page, as Kiali has them, per kind; the `tab` URL parameter picks one.
import type { ItemKind } from '@/lib/inventory/types';

export const TAB_LABELS = {
  overview: 'Overview',
  traffic: 'Traffic',
  inbound: 'Inbound metrics',
  outbound: 'Outbound metrics',
  traces: 'Traces',
  proxy: 'Proxy',
  'traffic-shifting': 'Traffic shifting',
} as const;
export type Tab = keyof typeof TAB_LABELS;

export function tabsOf(kind: ItemKind): Tab[] {
  if (kind === 'services') return ['overview', 'traffic', 'inbound', 'traces', 'traffic-shifting'];
  if (kind === 'workloads') return ['overview', 'traffic', 'inbound', 'outbound', 'traces', 'proxy'];
  return ['overview', 'traffic', 'inbound', 'outbound', 'traces'];
}

export function parseTab(kind: ItemKind, raw: string | null | undefined): Tab {
  const tabs = tabsOf(kind);
  return (tabs as string[]).includes(raw ?? '') ? (raw as Tab) : 'overview';
}
