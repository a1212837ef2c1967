// The inventory's reads (server only): one mesh-wide request-rate query, the control plane's config and
// the Istio Config validations, assembled by the pure modules beside this one. Either backend may be
// down: the answer then says so in `warnings` (and `config`), built from what could be read.
import 'server-only';
import { parseHealthThresholds } from '../graph/health';
import type { Sample } from '../graph/series';
import { controlPlaneClient } from '../mesh-config/server';
import { type Validation, validateMesh, validationSummary } from '../mesh-config/validations';
import type { RangeSeries } from '../prometheus/client';
import { prometheus } from '../prometheus/server';
import { type BuiltInventory, buildInventory } from './build-inventory';
import { buildOverview, type Overview } from './overview';
import { type Duration, METRIC_WINDOWS, type MetricParams } from './params';
import { latencyByPeer, type Peers, peersOf } from './peers';
import {
  type ItemRef,
  inventoryQuery,
  metricQueries,
  namespaceInboundRangeQuery,
  peerLatencyQuery,
} from './promql';
import { type ConfigRead, configCounts, readMeshConfig } from './read-config';
import { evaluationTime, type Outcome, RefreshCache } from './refresh-cache';
import type { Inventory, InventoryItem, ItemKind } from './types';
import { withValidations } from './validations';

/** How long the overview's sparklines reach back, their step and rate window. */
export const SPARKLINE_SECONDS = 1800;
export const SPARKLINE_STEP_SECONDS = 60;
const SPARKLINE_RATE = '2m';
/**
 * One refresh period (s): requests within it share one Prometheus evaluation and the inventory built
 * from it (per config revision); `MESHLENS_INVENTORY_REFRESH_S`. The browser polls every 15 s.
 */
export const REFRESH_SECONDS = positiveIntFromEnv('MESHLENS_INVENTORY_REFRESH_S', 10);
/** Reads kept per cache: a few durations, this period and the one before. */
const CACHED_READS = 16;
/** The control plane gets this long (ms) before the inventory is built from metrics alone. */
export const CONFIG_TIMEOUT_MS = 3_000;
/** At most this many lines per metrics chart (the busiest groups); `MESHLENS_INVENTORY_MAX_GROUPS`. */
export const MAX_CHART_GROUPS = positiveIntFromEnv('MESHLENS_INVENTORY_MAX_GROUPS', 12);

function positiveIntFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

interface Read {
  inventory: Inventory;
  built: BuiltInventory;
  samples: Sample[];
  overviewExtras?: {
    counts: Record<string, Record<string, number>>;
    validity: ReturnType<typeof validationSummary>;
  };
  /** The Istio Config validations with the inventory's registry (every workload and service it saw). */
  validations?: Validation[];
}

const ratesCache = new RefreshCache<Sample[]>(CACHED_READS);
const readCache = new RefreshCache<Read>(CACHED_READS);
const sparklineCache = new RefreshCache<RangeSeries[]>(CACHED_READS);
/** The last config read: answered again while the control plane's lists keep their revision. */
let lastConfig: ConfigRead | undefined;

/**
 * The inventory at this refresh period's evaluation time: the rates read once per period and duration,
 * the config read each time (its revision tells whether it changed), the inventory built once per
 * period, duration and revision. A read with a backend down is built afresh (and not kept).
 */
async function read(duration: Duration): Promise<Read> {
  const time = evaluationTime(Date.now(), REFRESH_SECONDS);
  const at = `${duration}@${time}`;
  const [rates, config] = await Promise.all([
    ratesCache.get(at, async () => {
      const r = await prometheus().instant(inventoryQuery(duration), time);
      return r.ok ? r : { ok: false, message: r.error.message };
    }),
    readMeshConfig(controlPlaneClient(undefined, CONFIG_TIMEOUT_MS), lastConfig),
  ]);
  if (config.ok) lastConfig = config;
  if (!rates.ok || !config.ok || config.revision === undefined)
    return assemble(duration, time, rates, config);
  const kept = await readCache.get(`${at}#${config.revision}`, async () => ({
    ok: true,
    value: assemble(duration, time, rates, config),
  }));
  return kept.ok ? kept.value : assemble(duration, time, rates, config);
}

/** The inventory from what was read (pure work: the build and the validations). */
function assemble(duration: Duration, time: number, rates: Outcome<Sample[]>, config: ConfigRead): Read {
  const warnings: string[] = [];
  const samples = rates.ok ? rates.value : [];
  if (!rates.ok) warnings.push(`${String(rates.message)}: no traffic, health or sidecar information.`);
  const thresholds = parseHealthThresholds(process.env.MESHLENS_HEALTH_THRESHOLDS);
  const built = buildInventory({ samples, ...(config.ok ? { config: config.config } : {}), thresholds });
  let { applications, workloads, services } = built;
  let overviewExtras: Read['overviewExtras'];
  let validations: Validation[] | undefined;
  if (config.ok) {
    const found = validateMesh(config.resources, {
      workloads: built.workloads.map((w) => ({ namespace: w.namespace, name: w.name, labels: w.labels })),
      services: built.services.flatMap((s) => s.host ?? []),
    });
    validations = found;
    [applications, workloads, services] = [applications, workloads, services].map((l) =>
      withValidations(l, found),
    ) as [InventoryItem[], InventoryItem[], InventoryItem[]];
    overviewExtras = {
      counts: configCounts(config.resources, config.config.sidecars),
      validity: validationSummary(config.resources, found),
    };
  }
  const inventory: Inventory = {
    time,
    duration,
    namespaces: built.namespaces,
    applications,
    workloads,
    services,
    config: config.ok
      ? { available: true }
      : { available: false, message: `Istio config is not available: ${config.message}` },
    warnings,
  };
  return {
    inventory,
    built,
    samples,
    ...(overviewExtras ? { overviewExtras } : {}),
    ...(validations ? { validations } : {}),
  };
}

export async function loadInventory(duration: Duration): Promise<Inventory> {
  return (await read(duration)).inventory;
}

/**
 * The mesh-wide Istio Config validations of this refresh period (shared with the lists): what the graph's
 * validation badges take as `validations` to show the absence checks too. Undefined: config not available.
 */
export async function loadValidations(duration: Duration): Promise<Validation[] | undefined> {
  return (await read(duration)).validations;
}

export async function loadOverview(duration: Duration): Promise<Overview> {
  const [r, spark] = await Promise.all([read(duration), sparklines()]);
  const overview = buildOverview(
    r.inventory,
    r.built.namespaceInbound,
    spark.ok ? spark.value : [],
    r.overviewExtras?.counts,
    r.overviewExtras?.validity,
  );
  // The read is shared with other requests: its warnings are copied, never added to.
  if (!spark.ok)
    overview.warnings = [...overview.warnings, `Sparklines unavailable: ${String(spark.message)}`];
  return overview;
}

function sparklines(): Promise<Outcome<RangeSeries[]>> {
  const end = evaluationTime(Date.now(), REFRESH_SECONDS);
  return sparklineCache.get(String(end), async () => {
    const r = await prometheus().range(
      namespaceInboundRangeQuery(SPARKLINE_RATE),
      end - SPARKLINE_SECONDS,
      end,
      SPARKLINE_STEP_SECONDS,
    );
    return r.ok ? r : { ok: false, message: r.error.message };
  });
}

export interface ItemDetail {
  item: InventoryItem;
  peers: Peers;
  config: Inventory['config'];
  duration: string;
  warnings: string[];
}

export function itemRefOf(item: InventoryItem): ItemRef {
  return {
    kind: item.kind,
    namespace: item.namespace,
    name: item.name,
    ...(item.host ? { host: item.host } : {}),
  };
}

/** One item with its peers (rates from the inventory's query, p95 from one latency query per direction); undefined when not found. */
export async function loadItem(
  kind: ItemKind,
  namespace: string,
  name: string,
  duration: Duration,
): Promise<ItemDetail | undefined> {
  const r = await read(duration);
  const item = r.inventory[kind].find((i) => i.namespace === namespace && i.name === name);
  if (!item) return undefined;
  const ref = itemRefOf(item);
  const warnings = [...r.inventory.warnings];
  const latency = async (direction: 'inbound' | 'outbound') => {
    const q = await prometheus().instant(peerLatencyQuery(ref, direction, duration), r.inventory.time);
    if (!q.ok) {
      warnings.push(`p95 unavailable: ${q.error.message}`);
      return new Map<string, number>();
    }
    return latencyByPeer(ref, direction, q.value);
  };
  const [inbound, outbound] = await Promise.all([latency('inbound'), latency('outbound')]);
  const thresholds = parseHealthThresholds(process.env.MESHLENS_HEALTH_THRESHOLDS);
  return {
    item,
    peers: peersOf(ref, r.samples, thresholds, { inbound, outbound }),
    config: r.inventory.config,
    duration,
    warnings: [...new Set(warnings)],
  };
}

export type ChartName = 'requests' | 'p50' | 'p95' | 'p99' | 'requestSize' | 'responseSize';
export interface ItemMetrics {
  params: MetricParams;
  charts: Record<ChartName, RangeSeries[]>;
  warnings: string[];
}

/** The busiest `max` series (by their mean), so a chart stays readable. */
export function busiest(series: readonly RangeSeries[], max: number): RangeSeries[] {
  const mean = (s: RangeSeries) => {
    const vs = s.points.map(([, v]) => v).filter(Number.isFinite);
    return vs.length > 0 ? vs.reduce((a, b) => a + b, 0) / vs.length : 0;
  };
  return [...series].sort((a, b) => mean(b) - mean(a)).slice(0, max);
}

export async function loadMetrics(item: ItemRef, params: MetricParams): Promise<ItemMetrics> {
  const w = METRIC_WINDOWS[params.window];
  const end = Math.floor(Date.now() / 1000);
  const queries = metricQueries(item, params.direction, params.reporter, params.by, w.rate);
  const names = Object.keys(queries) as ChartName[];
  const answers = await Promise.all(
    names.map((n) => prometheus().range(queries[n], end - w.seconds, end, w.step)),
  );
  const warnings = new Set<string>();
  const charts = {} as Record<ChartName, RangeSeries[]>;
  names.forEach((n, i) => {
    const a = answers[i];
    if (a?.ok) charts[n] = busiest(a.value, MAX_CHART_GROUPS);
    else {
      charts[n] = [];
      if (a) warnings.add(a.error.message);
    }
  });
  return { params, charts, warnings: [...warnings] };
}
