// The inventory's JSON: the mesh's applications, workloads and services as the lists, the overview and
// the detail pages show them. One definition for the route handlers, the pages and the components.
import type { Health, RateBreakdown } from '../graph/types';

export type { Health, RateBreakdown };

export const ITEM_KINDS = ['applications', 'workloads', 'services'] as const;
/** As the URL names them: `/namespaces/{ns}/{kind}/{name}`. */
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The Istio config kinds the lists show as applying to an item. */
export const CONFIG_KINDS = [
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'PeerAuthentication',
  'Sidecar',
] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export interface ConfigRef {
  kind: ConfigKind;
  namespace: string;
  name: string;
  /** Why it applies, in words: `host reviews.bookinfo.svc.cluster.local`, `namespace-wide`, `selector app=reviews`. */
  reason: string;
  /** From the Istio Config validations; undefined when they did not run (no config, kind not checked). */
  validity?: 'valid' | 'warning' | 'error';
  /** The findings on it, in words (`KIA1107 subset v4 not found`). */
  findings?: string[];
}

/**
 * Whether a sidecar reports for the item: `present` when its own proxy reported requests, `missing` when
 * only its peers' proxies did (Kiali's "Missing Sidecar"), `unknown` without traffic to tell.
 */
export type SidecarState = 'present' | 'missing' | 'unknown';

export interface Instance {
  name: string;
  address: string;
  /** From the WorkloadEntry's `Healthy` condition; undefined when it has none. */
  healthy?: boolean;
}

export interface InventoryItem {
  kind: ItemKind;
  namespace: string;
  name: string;
  /** `app` and `version` (versions joined by `,` for an app or a service with several). */
  labels: Record<string, string>;
  health: Health;
  /** Requests per second into the item (chosen reporter per caller, never both). */
  inbound: RateBreakdown;
  /** Requests per second out of it (apps and workloads). */
  outbound: RateBreakdown;
  sidecar: SidecarState;
  config: ConfigRef[];
  /** Workloads of an app, or behind a service. */
  workloads: string[];
  /** Services an app or a workload serves. */
  services: string[];
  /** The service's host (`reviews.bookinfo.svc.cluster.local`, `httpbin.org`). */
  host?: string;
  /** WorkloadEntries of a workload (the control plane's instances). */
  instances: Instance[];
}

/** Whether the control plane's config could be read; the lists say so in words when it could not. */
export type ConfigAvailability = { available: true } | { available: false; message: string };

export interface Inventory {
  /** Unix seconds the rates were taken at, and their window. */
  time: number;
  duration: string;
  namespaces: string[];
  applications: InventoryItem[];
  workloads: InventoryItem[];
  services: InventoryItem[];
  config: ConfigAvailability;
  /** Partial data (Prometheus down, a config kind not served), in words. */
  warnings: string[];
}
