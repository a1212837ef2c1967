// A list page's state as its URL keeps it — filters (namespace, name, label, health), the sort column and
// direction — and the filtering and sorting of inventory items by it. Pure; shared by page and tests.
import { healthRank } from './health';
import type { Health, InventoryItem } from './types';

export const SORT_COLUMNS = ['name', 'namespace', 'health', 'labels', 'sidecar', 'config', 'rps'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
const HEALTHS: readonly Health[] = ['healthy', 'degraded', 'failure', 'idle'];

export interface ListState {
  namespaces: string[];
  /** Substring of the name, case-insensitive. */
  name: string;
  /** `key=value` (exact) or `key` (present); empty = any. */
  label: string;
  health: Health[];
  sort: SortColumn;
  dir: 'asc' | 'desc';
}

export const DEFAULT_LIST_STATE: ListState = {
  namespaces: [],
  name: '',
  label: '',
  health: [],
  sort: 'name',
  dir: 'asc',
};

const MAX_TEXT = 200;
const list = (v: string | null) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Reads the state from URL parameters; unknown values fall back to the defaults. */
export function parseListState(p: URLSearchParams): ListState {
  const sort = p.get('sort');
  return {
    namespaces: list(p.get('namespaces')),
    name: (p.get('name') ?? '').slice(0, MAX_TEXT),
    label: (p.get('label') ?? '').slice(0, MAX_TEXT),
    health: list(p.get('health')).filter((h): h is Health => (HEALTHS as readonly string[]).includes(h)),
    sort: (SORT_COLUMNS as readonly string[]).includes(sort ?? '') ? (sort as SortColumn) : 'name',
    dir: p.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** The state as URL parameters, defaults left out. */
export function listStateToParams(s: ListState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.namespaces.length > 0) p.set('namespaces', s.namespaces.join(','));
  if (s.name) p.set('name', s.name);
  if (s.label) p.set('label', s.label);
  if (s.health.length > 0) p.set('health', s.health.join(','));
  if (s.sort !== 'name') p.set('sort', s.sort);
  if (s.dir !== 'asc') p.set('dir', s.dir);
  return p;
}

function labelMatches(filter: string, labels: Record<string, string>): boolean {
  const f = filter.trim();
  if (f === '') return true;
  const eq = f.indexOf('=');
  if (eq < 0) return f in labels;
  const k = f.slice(0, eq).trim();
  const v = f.slice(eq + 1).trim();
  // An app's or a service's versions are comma-joined: any of them matches.
  return (labels[k] ?? '').split(',').includes(v);
}

export function filterItems(items: readonly InventoryItem[], s: ListState): InventoryItem[] {
  const name = s.name.trim().toLowerCase();
  return items.filter(
    (i) =>
      (s.namespaces.length === 0 || s.namespaces.includes(i.namespace)) &&
      (name === '' || i.name.toLowerCase().includes(name)) &&
      labelMatches(s.label, i.labels) &&
      (s.health.length === 0 || s.health.includes(i.health)),
  );
}

const SIDECAR_RANK = { missing: 0, unknown: 1, present: 2 } as const;
const labelText = (i: InventoryItem) =>
  Object.entries(i.labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(' ');

const COMPARE: Record<SortColumn, (a: InventoryItem, b: InventoryItem) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  namespace: (a, b) => a.namespace.localeCompare(b.namespace),
  // Ascending health: the worst first, as one looks for trouble.
  health: (a, b) => healthRank(b.health) - healthRank(a.health),
  labels: (a, b) => labelText(a).localeCompare(labelText(b)),
  sidecar: (a, b) => SIDECAR_RANK[a.sidecar] - SIDECAR_RANK[b.sidecar],
  config: (a, b) => a.config.length - b.config.length,
  rps: (a, b) => a.inbound.total - b.inbound.total,
};

/** Sorted by the column, ties by namespace then name; a stable order for equal items. */
export function sortItems(
  items: readonly InventoryItem[],
  s: Pick<ListState, 'sort' | 'dir'>,
): InventoryItem[] {
  const sign = s.dir === 'desc' ? -1 : 1;
  return [...items].sort(
    (a, b) =>
      sign * COMPARE[s.sort](a, b) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}
