// GET /api/proxy/{namespace}/{workload}?view=routes|clusters|listeners|secrets|log&instance=NAME — what
// `istioctl proxy-config` shows of one instance's sidecar, read from the admin port its WorkloadEntry
// registers (never an address from the request).
import { answerInvalid, answerJson, answerOutcome } from '@/lib/http/answer';
import { parseItem } from '@/lib/inventory/params';
import { readProxy } from '@/lib/proxy-config/server';
import { PROXY_VIEWS, type ProxyView } from '@/lib/proxy-config/types';

export const dynamic = 'force-dynamic';

/** A WorkloadEntry name: a DNS-1123 subdomain. */
const INSTANCE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export async function GET(
  request: Request,
  { params }: { params: Promise<{ namespace: string; workload: string }> },
): Promise<Response> {
  const p = await params;
  const item = parseItem('workloads', p.namespace, p.workload);
  if (!item.ok) return answerInvalid(item.message);
  const q = new URL(request.url).searchParams;
  const view = q.get('view') ?? 'routes';
  if (!(PROXY_VIEWS as readonly string[]).includes(view))
    return answerInvalid([{ field: 'view', message: `one of ${PROXY_VIEWS.join(', ')}` }]);
  const instance = q.get('instance') ?? undefined;
  if (instance !== undefined && !INSTANCE.test(instance))
    return answerInvalid([{ field: 'instance', message: 'a WorkloadEntry name' }]);
  const read = await readProxy(item.namespace, item.name, view as ProxyView, instance);
  return read.ok ? answerJson(read.value) : answerOutcome(read);
}
