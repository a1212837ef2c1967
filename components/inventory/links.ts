// Where an item's, a config resource's and a namespace's pages are (Kiali's URL scheme).
import type { ItemKind } from '@/lib/inventory/types';

export function itemHref(kind: ItemKind, namespace: string, name: string, tab?: string): string {
  const base = `/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;
  return tab ? `${base}?tab=${tab}` : base;
}

/** `/namespaces/{ns}/istio/{virtualservices}/{name}`: the Istio Config detail (its own pages). */
export function configHref(kind: string, namespace: string, name: string): string {
  return `/namespaces/${encodeURIComponent(namespace)}/istio/${kind.toLowerCase()}s/${encodeURIComponent(name)}`;
}

export function graphHref(namespace: string): string {
  return `/graph?${new URLSearchParams({ namespaces: namespace })}`;
}

export const LINK_CLASS =
  'text-sky-800 underline underline-offset-2 hover:decoration-2 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300';
