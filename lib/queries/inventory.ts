// The inventory's data: query keys and one `queryOptions` per resource (the overview, the inventory the
// three lists share, an item's detail, its metrics), shared by the server pages and the client components.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { MetricParams } from '@/lib/inventory/params';
import type { ItemDetail, ItemMetrics } from '@/lib/inventory/server';
import type { Inventory, ItemKind } from '@/lib/inventory/types';
import { fetchJson, retryUnlessFinal } from './fetch-json';

/** The lists and details refresh this often while visible. */
export const INVENTORY_POLL_MS = 15_000;

export const inventoryKeys = {
  all: ['inventory'] as const,
  list: (duration: string) => ['inventory', 'list', duration] as const,
  item: (kind: ItemKind, namespace: string, name: string, duration: string) =>
    ['inventory', 'item', kind, namespace, name, duration] as const,
  metrics: (kind: ItemKind, namespace: string, name: string, p: MetricParams) =>
    ['inventory', 'metrics', kind, namespace, name, p.direction, p.reporter, p.by, p.window] as const,
};

const itemPath = (kind: ItemKind, namespace: string, name: string) =>
  `/api/inventory/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;

/** `load`: how a server page reads it itself (the same answer as the route handler). */
export const inventoryOptions = (duration: string, load?: () => Promise<Inventory>) =>
  queryOptions({
    queryKey: inventoryKeys.list(duration),
    queryFn:
      load ??
      (({ signal }) => fetchJson<Inventory>(`/api/inventory?${new URLSearchParams({ duration })}`, signal)),
    refetchInterval: INVENTORY_POLL_MS,
    placeholderData: keepPreviousData,
    retry: retryUnlessFinal,
  });

export const itemOptions = (
  kind: ItemKind,
  namespace: string,
  name: string,
  duration: string,
  load?: () => Promise<ItemDetail>,
) =>
  queryOptions({
    queryKey: inventoryKeys.item(kind, namespace, name, duration),
    queryFn:
      load ??
      (({ signal }) =>
        fetchJson<ItemDetail>(
          `${itemPath(kind, namespace, name)}?${new URLSearchParams({ duration })}`,
          signal,
        )),
    refetchInterval: INVENTORY_POLL_MS,
    placeholderData: keepPreviousData,
    retry: retryUnlessFinal,
  });

export const itemMetricsOptions = (kind: ItemKind, namespace: string, name: string, p: MetricParams) =>
  queryOptions({
    queryKey: inventoryKeys.metrics(kind, namespace, name, p),
    queryFn: ({ signal }) =>
      fetchJson<ItemMetrics>(
        `${itemPath(kind, namespace, name)}/metrics?${new URLSearchParams({ direction: p.direction, reporter: p.reporter, by: p.by, window: p.window })}`,
        signal,
      ),
    refetchInterval: INVENTORY_POLL_MS * 2,
    placeholderData: keepPreviousData,
    retry: retryUnlessFinal,
  });
