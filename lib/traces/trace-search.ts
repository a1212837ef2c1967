// Trace search and failing-request lookup over a Jaeger query client: Jaeger searches one service at a
// time, so a search naming none (and a graph element's failing requests) fans out over the services,
// a few at a time, and merges the answers newest first.
import { parseNodeId } from '@/lib/graph/node-id';
import type { JaegerClient, JaegerError, JaegerResult } from '@/lib/jaeger/client';
import type { Trace } from '@/lib/jaeger/model';
import type { FailingRequestsResponse, TraceSearchResponse } from './api-types';
import { failingRequests, type GraphElement } from './failing-requests';
import type { GraphPathOptions } from './graph-path';
import { formatTags, type SearchState, toTraceSearch } from './search-params';
import { mergeSearchResults, summarizeTrace } from './trace-summary';

/** Services searched at most when a search names none. */
export const MAX_FANOUT_SERVICES = 30;
const CONCURRENCY = 4;

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Searches `services` and collects the traces; fails only when every service's search failed. */
async function searchServices(
  client: JaegerClient,
  services: readonly string[],
  state: SearchState,
  nowMs: number,
): Promise<JaegerResult<{ traces: Trace[][]; warnings: string[] }>> {
  const results = await mapLimited(services, CONCURRENCY, (s) =>
    client.findTraces(toTraceSearch(state, s, nowMs)),
  );
  const traces: Trace[][] = [];
  const warnings: string[] = [];
  let firstError: JaegerError | undefined;
  results.forEach((r, i) => {
    if (r.ok) traces.push(r.value);
    else {
      firstError ??= r.error;
      warnings.push(`${services[i]}: ${r.error.message}`);
    }
  });
  if (traces.length === 0 && firstError) return { ok: false, error: firstError };
  return { ok: true, value: { traces, warnings } };
}

/** The services to search: the one named, else every service Jaeger knows (bounded). */
async function servicesFor(
  client: JaegerClient,
  service: string | undefined,
): Promise<JaegerResult<string[]>> {
  if (service) return { ok: true, value: [service] };
  const all = await client.services();
  if (!all.ok) return all;
  return { ok: true, value: [...all.value].sort().slice(0, MAX_FANOUT_SERVICES) };
}

export async function searchTraces(
  client: JaegerClient,
  state: SearchState,
  nowMs: number,
): Promise<JaegerResult<TraceSearchResponse>> {
  const services = await servicesFor(client, state.service);
  if (!services.ok) return services;
  const found = await searchServices(client, services.value, state, nowMs);
  if (!found.ok) return found;
  const summaries = found.value.traces.map((list) => list.map(summarizeTrace));
  let traces = mergeSearchResults(summaries, state.limit);
  // Jaeger matches tags on any span of the trace; "errors only" means the trace has an error span.
  if (state.errorsOnly) traces = traces.filter((t) => t.errorCount > 0);
  return { ok: true, value: { traces, services: services.value, warnings: found.value.warnings } };
}

/** The Jaeger service (`<app>.<namespace>`, Istio's naming) a graph node's spans are reported under. */
export function jaegerServiceOf(nodeId: string): string | undefined {
  const ref = parseNodeId(nodeId.startsWith('box:') ? `app:${nodeId.slice(4)}` : nodeId);
  if (!ref || ref.kind === 'unknown') return undefined;
  if (ref.kind === 'app') return `${ref.app}.${ref.namespace}`;
  if (ref.kind === 'service') return ref.external ? undefined : `${ref.name}.${ref.namespace}`;
  return undefined;
}

export interface FailingQuery {
  element: GraphElement;
  graph: GraphPathOptions;
  state: SearchState;
}

interface TargetedSearch {
  service: string;
  tags: Record<string, string>;
}

/**
 * The narrowest Jaeger search for an edge's failures, matching one span (Jaeger matches all tags on the
 * same span): the caller's failed client spans towards the target service (`peer.service`), or, for an
 * edge out of a service node, the target workload's failed spans.
 */
export function targetedSearch(element: GraphElement): TargetedSearch | undefined {
  if (!('source' in element)) return undefined;
  const source = parseNodeId(element.source);
  const target = parseNodeId(element.target);
  if (!source || !target) return undefined;
  const revision = (ref: typeof source): Record<string, string> =>
    ref.kind === 'app' && ref.version ? { 'istio.canonical_revision': ref.version } : {};
  if (source.kind === 'app' || source.kind === 'workload') {
    const service = jaegerServiceOf(element.source);
    if (!service) return undefined;
    const peer: Record<string, string> = target.kind === 'service' ? { 'peer.service': target.name } : {};
    return { service, tags: { error: 'true', ...revision(source), ...peer } };
  }
  const service = jaegerServiceOf(element.target);
  return service ? { service, tags: { error: 'true', ...revision(target) } } : undefined;
}

/**
 * Recent failing requests of a graph node or edge. An edge's failures sit in its caller's client spans
 * (or, out of a service node, in the callee's spans): searched narrowly first, then broadly when that
 * finds too few (spans from other proxies may lack the narrowing tags). A node's failures may sit in any
 * caller's spans (a request aborted before reaching it), so every service is searched.
 */
export async function findFailingRequests(
  client: JaegerClient,
  q: FailingQuery,
  nowMs: number,
): Promise<JaegerResult<FailingRequestsResponse>> {
  const known = await client.services();
  if (!known.ok) return known;
  const all = [...known.value].sort().slice(0, MAX_FANOUT_SERVICES);
  const limit = q.state.limit;
  const errorsOnly: SearchState = { ...q.state, errorsOnly: true, tags: undefined };
  const found: Trace[][] = [];
  const searched = new Set<string>();
  let failing: ReturnType<typeof failingRequests> = [];

  const narrow = targetedSearch(q.element);
  if (narrow && known.value.includes(narrow.service)) {
    const r = await searchServices(
      client,
      [narrow.service],
      { ...errorsOnly, tags: formatTags(narrow.tags) },
      nowMs,
    );
    if (!r.ok) return r;
    found.push(...r.value.traces);
    searched.add(narrow.service);
    failing = failingRequests(found.flat(), q.element, q.graph, limit);
  }
  if (failing.length < limit) {
    // Fetch more traces than asked: the error may be elsewhere in a trace than on this node or edge.
    const wide: SearchState = { ...errorsOnly, limit: Math.min(200, limit * 5) };
    const services = narrow && known.value.includes(narrow.service) ? [narrow.service] : all;
    const r = await searchServices(client, services, wide, nowMs);
    if (!r.ok && found.length === 0) return r;
    if (r.ok) found.push(...r.value.traces);
    for (const s of services) searched.add(s);
    failing = failingRequests(found.flat(), q.element, q.graph, limit);
  }
  return { ok: true, value: { traces: failing, services: [...searched] } };
}
