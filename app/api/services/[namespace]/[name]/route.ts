// GET /api/services/{namespace}/{name}: the service's versions, VirtualService routes and the split
// the traffic-shifting form starts from, with the resourceVersion it was read at.
import { loadService } from '@/lib/canary/load';
import { badRequest, parseServiceParams } from '@/lib/canary/params';
import type { ServiceRoute } from '@/lib/canary/respond';
import { answer } from '@/lib/canary/respond';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return badRequest(params.message);
  return answer(await loadService(params.value.name, params.value.namespace));
}
