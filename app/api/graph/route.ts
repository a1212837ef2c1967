// GET /api/graph?namespaces=&graphType=&duration=&queryTime= — the service graph (Kiali's parameters),
// its JSON streamed in chunks of elements (the same bytes as one `JSON.stringify`).
import { checkHost } from '@/lib/auth/host-check';
import { graphJsonStream } from '@/lib/graph/graph-json';
import { parseGraphParams } from '@/lib/graph/params';
import { takeGraph } from '@/lib/graph/prefetch-handoff';
import { graphDeps, sharedBuilds } from '@/lib/graph/server';
import type { Graph } from '@/lib/graph/types';
import { toColumns } from '@/lib/graph-page/columns';
import { LEAN_MIN_NODES, PAGE_FORMAT, pageGraph, withoutFormat } from '@/lib/graph-page/lean-graph';
import { answerError } from '@/lib/http/answer';
import { traceMark } from '@/lib/prometheus/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const params = parseGraphParams(url.searchParams);
  if (!params.ok) return answerError({ code: 'bad_request', message: params.message });
  // `format=page`: the graph page's lean first answer for a very large graph (`lib/graph-page/lean-graph.ts`).
  const format = url.searchParams.get('format');
  // The graph page's first request, built while the page was (too large to be put in it), or still being
  // built: then this waits for it (`handoff` in Server-Timing is that wait). A failed one is built here.
  traceMark('request', { search: url.search });
  const t0 = performance.now();
  const handed = await Promise.resolve(takeGraph(withoutFormat(url.search.slice(1)))).catch(() => undefined);
  // Asked by a browser on this machine (a loopback `Host`): see `answerGraph`.
  const local = checkHost(request.headers.get('host')).ok;
  // A graph handed off was built without a walk lease (nothing to release: its walk objects are its own).
  if (handed)
    return answerGraph(handed, format, `handoff;dur=${(performance.now() - t0).toFixed(1)}`, local, () => {});
  // A live graph is shared by the requests of its refresh period (evaluated at the period's start). Its walk
  // objects are reused by a later build once released: by every path below, when this answer is done with them.
  const result = await sharedBuilds.build(params.value, graphDeps());
  traceMark('built', { ok: result.ok, ...(result.ok ? result.timings : {}) });
  if (!result.ok) {
    result.release();
    return answerError(result.error);
  }
  // Serialising happens while the answer is sent: Server-Timing has the phases before it (a shared
  // build's, marked `shared`).
  const timing = [
    ...Object.entries(result.timings).map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`),
    ...(result.shared ? ['shared;dur=0'] : []),
  ].join(', ');
  try {
    return answerGraph(result.graph, format, timing, local, result.release);
  } catch (err) {
    result.release();
    throw err;
  }
}

/** The graph's answer; `release` once the answer no longer reads the graph (written, cancelled or failed). */
function answerGraph(
  graph: Graph,
  format: string | null,
  timing: string,
  local: boolean,
  release: () => void,
): Response {
  const headers = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'server-timing': timing,
  };
  // The page's first answer for a very large graph: the lean graph in columns (`lib/graph-page/columns.ts`),
  // ~3 MB instead of 12.6 at 5,000 workloads.
  if (format === PAGE_FORMAT && graph.elements.nodes.length >= LEAN_MIN_NODES) {
    const t0 = performance.now();
    const columns = toColumns(graph, { lean: true });
    if (columns) {
      const body = JSON.stringify(columns);
      release();
      headers['server-timing'] += `, columns;dur=${(performance.now() - t0).toFixed(1)}`;
      // Uncompressed on loopback too, as below: the page's preview ~0.2 s sooner at 5,000 workloads.
      if (local) headers['cache-control'] = 'no-store, no-transform';
      return new Response(body, { headers });
    }
  }
  // A graph to a browser on this machine goes out uncompressed, whatever its size: on loopback the bytes cost
  // nothing and Next's gzip costs the server's CPU (the 1,000-workload graph's 4 MB: 40-90 ms a request, and the
  // answer ~50 ms later; the 5,000-workload graph's 21 MB: 170-460 ms). A dashboard reached by another name
  // (MESHLENS_ALLOWED_HOSTS, a proxy) keeps gzip.
  if (local) headers['cache-control'] = 'no-store, no-transform';
  return new Response(graphJsonStream(pageGraph(graph, format), undefined, release), { headers });
}
