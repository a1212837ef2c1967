// The graph page's state in the URL (namespaces, graph type, window, refresh, labels, layout, find,
// hide, selection, focus), so that a view can be shared by its link: read and written here, for the client hook
// and for the server page (which starts the first graph request before the client has loaded).
import { GRAPH_TYPES, type GraphType } from '@/lib/graph/types';
import { AGGREGATIONS, type Aggregation } from './aggregate';
import type { EdgeLabelMode } from './elements';

export const DURATIONS = ['1m', '5m', '10m', '30m', '1h'] as const;
export const REFRESH_SECONDS = [0, 5, 10, 30] as const;
export const EDGE_LABELS: EdgeLabelMode[] = ['rps', 'percent', 'p95', 'none'];
export const LAYOUTS = ['layered', 'force'] as const;
/** Kiali's traffic selector: which protocols are drawn. */
export const TRAFFIC_PROTOCOLS = ['http', 'grpc', 'tcp'] as const;
export type TrafficProtocol = (typeof TRAFFIC_PROTOCOLS)[number];
/** Kiali's gRPC rate: calls (requests), or the messages sent, received or both (streams). */
export const GRPC_RATES = ['requests', 'sent', 'received', 'total'] as const;
/** How far a focus reaches from its node, in hops (Kiali's focus). */
export const FOCUS_HOPS = [1, 2, 3, 4, 5] as const;

export interface GraphViewState {
  namespaces: string[];
  graphType: GraphType;
  duration: (typeof DURATIONS)[number];
  refresh: (typeof REFRESH_SECONDS)[number];
  labels: EdgeLabelMode;
  layout: (typeof LAYOUTS)[number];
  find: string;
  hide: string;
  /** Selected node id, or edge id (`source->target`). */
  selected?: string;
  /** Unix seconds the graph is pinned at (a shared moment); undefined = live. */
  at?: number;
  /** The node the graph is focused on: it and what is within `hops` of it are drawn, the rest dimmed. */
  focus?: string;
  hops: (typeof FOCUS_HOPS)[number];
  /** Namespaces or apps drawn as one node each; `auto` by the graph's size (see `aggregate.ts`). */
  group: Aggregation;
  /** The Security display option: principals on the edges. */
  security: boolean;
  /** Protocols drawn (Kiali's traffic selector); never empty. */
  traffic: TrafficProtocol[];
  /** What a gRPC edge's rate counts. */
  grpcRate: (typeof GRPC_RATES)[number];
}

const DEFAULTS: GraphViewState = {
  namespaces: [],
  graphType: 'versionedApp',
  duration: '1m',
  refresh: 10,
  labels: 'rps',
  layout: 'layered',
  find: '',
  hide: '',
  hops: 2,
  group: 'auto',
  security: false,
  traffic: [...TRAFFIC_PROTOCOLS],
  grpcRate: 'requests',
};

/** `traffic=http,grpc` → the protocols named, known ones only, in Kiali's order; all when none is. */
export function readTraffic(raw: string | null): TrafficProtocol[] {
  const named = new Set((raw ?? '').split(','));
  const out = TRAFFIC_PROTOCOLS.filter((p) => named.has(p));
  return out.length > 0 ? out : [...TRAFFIC_PROTOCOLS];
}

function oneOf<T extends string | number>(values: readonly T[], raw: string | null, fallback: T): T {
  const v = values.find((x) => String(x) === raw);
  return v ?? fallback;
}

export function readGraphViewState(p: URLSearchParams): GraphViewState {
  return {
    namespaces: (p.get('namespaces') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s)),
    graphType: oneOf(GRAPH_TYPES, p.get('graphType'), DEFAULTS.graphType),
    duration: oneOf(DURATIONS, p.get('duration'), DEFAULTS.duration),
    refresh: oneOf(REFRESH_SECONDS, p.get('refresh'), DEFAULTS.refresh),
    labels: oneOf(EDGE_LABELS, p.get('labels'), DEFAULTS.labels),
    layout: oneOf(LAYOUTS, p.get('layout'), DEFAULTS.layout),
    find: p.get('find') ?? '',
    hide: p.get('hide') ?? '',
    selected: p.get('selected') || undefined,
    at: /^\d{9,11}$/.test(p.get('at') ?? '') ? Number(p.get('at')) : undefined,
    focus: p.get('focus') || undefined,
    hops: oneOf(FOCUS_HOPS, p.get('hops'), DEFAULTS.hops),
    group: oneOf(AGGREGATIONS, p.get('group'), DEFAULTS.group),
    security: p.get('security') === '1',
    traffic: readTraffic(p.get('traffic')),
    grpcRate: oneOf(GRPC_RATES, p.get('grpcRate'), DEFAULTS.grpcRate),
  };
}

export function writeGraphViewState(s: GraphViewState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.namespaces.length > 0) p.set('namespaces', s.namespaces.join(','));
  for (const k of [
    'graphType',
    'duration',
    'refresh',
    'labels',
    'layout',
    'find',
    'hide',
    'group',
    'grpcRate',
  ] as const) {
    if (String(s[k]) !== String(DEFAULTS[k])) p.set(k, String(s[k]));
  }
  if (s.selected) p.set('selected', s.selected);
  if (s.at !== undefined) p.set('at', String(s.at));
  if (s.focus) p.set('focus', s.focus);
  // Kept without a focus too: chosen first, then a node focused on.
  if (s.hops !== DEFAULTS.hops) p.set('hops', String(s.hops));
  if (s.security) p.set('security', '1');
  if (s.traffic.length < TRAFFIC_PROTOCOLS.length) p.set('traffic', s.traffic.join(','));
  return p;
}
