// GET /api/inventory/{namespace}/{kind}/{name}/metrics?direction=&reporter=&by=&window= — the item's
// request volume, duration p50/p95/p99 and mean request/response size over time.
import { answerInvalid, answerJson } from '@/lib/http/answer';
import { parseItem, parseMetricParams } from '@/lib/inventory/params';
import { loadMetrics } from '@/lib/inventory/server';
import { CLUSTER_DOMAIN } from '@/lib/mesh-config/labels';

export const dynamic = 'force-dynamic';

type Params = { namespace: string; kind: string; name: string };

export async function GET(request: Request, { params }: { params: Promise<Params> }): Promise<Response> {
  const p = await params;
  const item = parseItem(p.kind, p.namespace, p.name);
  if (!item.ok) return answerInvalid(item.message);
  // A service's host: its FQDN, or the external host itself (a dotted name).
  const host = item.name.includes('.') ? item.name : `${item.name}.${item.namespace}.${CLUSTER_DOMAIN}`;
  const ref = {
    kind: item.kind,
    namespace: item.namespace,
    name: item.name,
    ...(item.kind === 'services' ? { host } : {}),
  };
  return answerJson(await loadMetrics(ref, parseMetricParams(new URL(request.url).searchParams, item.kind)));
}
