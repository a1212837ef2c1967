// Reading a service's weighted routes out of its VirtualService, and building the VirtualService
// that carries a new split: the old one with the chosen routes' destinations replaced, all else kept.
import {
  API_VERSION,
  type HTTPRoute,
  type HTTPRouteDestination,
  type VirtualService,
} from '../mesh-config/schema';
import { qualifyHost } from '../mesh-config/validate';
import { normalize, type Split } from './weights';

export interface ServiceRef {
  name: string;
  namespace: string;
  /** The service's fully qualified host (`reviews.bookinfo.svc.cluster.local`). */
  host: string;
}

export interface RouteSummary {
  /** Index in `spec.http`. */
  index: number;
  name?: string;
  /** The match in words (`headers end-user = jason`), or undefined for a catch-all route. */
  match?: string;
  /** The route's destinations as a split over subsets (a single destination carries 100). */
  split: Split;
}

/** Which routes a change applies to: one route by its index, or every route of the service. */
export type RouteScope = number | 'all';

const namespaceOf = (vs: VirtualService) => vs.metadata.namespace ?? 'default';

/** Whether every destination of the route is (a subset of) the service. */
function routesOnlyTo(route: HTTPRoute, service: ServiceRef, vsNamespace: string): boolean {
  return route.route.every((d) => qualifyHost(d.destination.host, vsNamespace) === service.host);
}

/** Does this VirtualService route the service's host? */
export function routesService(vs: VirtualService, service: ServiceRef): boolean {
  return vs.spec.hosts.some((h) => qualifyHost(h, namespaceOf(vs)) === service.host);
}

function describeMatch(route: HTTPRoute): string | undefined {
  const parts: string[] = [];
  for (const m of route.match ?? []) {
    const conds: string[] = [];
    const str = (s: { exact?: string; prefix?: string; regex?: string }) =>
      s.exact !== undefined
        ? `= ${s.exact}`
        : s.prefix !== undefined
          ? `starts with ${s.prefix}`
          : `~ ${s.regex}`;
    if (m.uri) conds.push(`uri ${str(m.uri)}`);
    if (m.method) conds.push(`method ${str(m.method)}`);
    for (const [h, v] of Object.entries(m.headers ?? {})) conds.push(`header ${h} ${str(v)}`);
    if (conds.length > 0) parts.push(conds.join(' and '));
  }
  return parts.length > 0 ? parts.join(' or ') : undefined;
}

/** The split a route carries; destinations without a subset are shown under the host's name. */
export function splitOfRoute(route: HTTPRoute, service: ServiceRef): Split {
  const raw = route.route.map((d) => ({
    version: d.destination.subset ?? service.name,
    weight: route.route.length === 1 ? 100 : (d.weight ?? 0),
  }));
  return normalize(raw);
}

/** The service's editable routes: those whose destinations are all the service itself. */
export function routesOf(vs: VirtualService, service: ServiceRef): RouteSummary[] {
  const out: RouteSummary[] = [];
  (vs.spec.http ?? []).forEach((route, index) => {
    if (!routesOnlyTo(route, service, namespaceOf(vs))) return;
    const match = describeMatch(route);
    out.push({
      index,
      ...(route.name ? { name: route.name } : {}),
      ...(match ? { match } : {}),
      split: splitOfRoute(route, service),
    });
  });
  return out;
}

/** The route most traffic takes: the first catch-all route, else the last editable one. */
export function defaultRoute(routes: readonly RouteSummary[]): RouteSummary | undefined {
  return routes.find((r) => r.match === undefined) ?? routes[routes.length - 1];
}

/** The weighted destinations for a split, keeping the port the old destinations named. */
export function weightedDestinations(
  split: Split,
  service: ServiceRef,
  port?: { number: number },
): HTTPRouteDestination[] {
  return split.map((s) => ({
    destination: { host: service.host, subset: s.version, ...(port ? { port } : {}) },
    weight: s.weight,
  }));
}

/** A new VirtualService for a service that has none: one catch-all route carrying the split. */
export function newVirtualService(service: ServiceRef, split: Split): VirtualService {
  return {
    apiVersion: API_VERSION,
    kind: 'VirtualService',
    metadata: { name: service.name, namespace: service.namespace },
    spec: { hosts: [service.host], http: [{ route: weightedDestinations(split, service) }] },
  };
}

/**
 * The VirtualService with the split applied to the routes in `scope` (their matches, retries,
 * timeouts and faults kept) — or, when it has no route for the service, a catch-all route appended.
 * Answers the indexes in `spec.http` that now carry the split.
 */
export function withSplit(
  vs: VirtualService,
  service: ServiceRef,
  split: Split,
  scope: RouteScope,
): { virtualService: VirtualService; routeIndexes: number[] } {
  const editable = new Set(routesOf(vs, service).map((r) => r.index));
  const http = vs.spec.http ?? [];
  const targets = scope === 'all' ? [...editable] : editable.has(scope) ? [scope] : ([] as number[]);
  if (targets.length === 0) {
    return {
      virtualService: {
        ...vs,
        spec: { ...vs.spec, http: [...http, { route: weightedDestinations(split, service) }] },
      },
      routeIndexes: [http.length],
    };
  }
  const next = http.map((route, i) => {
    if (!targets.includes(i)) return route;
    const port = route.route.find((d) => d.destination.port)?.destination.port;
    return { ...route, route: weightedDestinations(split, service, port) };
  });
  return { virtualService: { ...vs, spec: { ...vs.spec, http: next } }, routeIndexes: targets };
}
