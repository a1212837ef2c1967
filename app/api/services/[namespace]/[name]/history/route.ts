// GET /api/services/{namespace}/{name}/history: changes to the service's VirtualService, from the
// control plane's audit log, newest first.
import { loadHistory } from '@/lib/canary/load';
import { badRequest, parseServiceParams } from '@/lib/canary/params';
import type { ServiceRoute } from '@/lib/canary/respond';
import { answer } from '@/lib/canary/respond';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return badRequest(params.message);
  return answer(await loadHistory(params.value.name, params.value.namespace));
}
