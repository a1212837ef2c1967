// GET /api/services/{namespace}/{name}/history: changes to the service's VirtualService, from the
// control plane's audit log, newest first.
import { parseServiceParams, type ServiceRoute } from '@/lib/canary/params';
import { loadHistory } from '@/lib/canary/read-state';
import { answerBadRequest, answerLoaded } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return answerBadRequest(params.message);
  return answerLoaded(await loadHistory(params.value.name, params.value.namespace));
}
