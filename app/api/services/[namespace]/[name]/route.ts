// GET /api/services/{namespace}/{name}: the service's versions, VirtualService routes and the split
// the traffic-shifting form starts from, with the resourceVersion it was read at.
import { parseServiceParams, type ServiceRoute } from '@/lib/canary/params';
import { loadService } from '@/lib/canary/read-state';
import { answerBadRequest, answerLoaded } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return answerBadRequest(params.message);
  return answerLoaded(await loadService(params.value.name, params.value.namespace));
}
