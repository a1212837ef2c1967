// POST /api/canary/{namespace}/{name}/rollback: restore the VirtualService a history entry wrote,
// `{to: <its resourceVersion>, resourceVersion: <the current one as read>}`. Guarded like Apply.

import { guardWrite } from '@/lib/auth/guard';
import { httpStatusOf, RollbackRequestSchema } from '@/lib/canary/apply-plan';
import { rollbackTo } from '@/lib/canary/load';
import { badRequest, parseBody, parseServiceParams } from '@/lib/canary/params';
import type { ServiceRoute } from '@/lib/canary/respond';

export async function POST(request: Request, ctx: ServiceRoute) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return badRequest(params.message);
  const body = await parseBody(request, RollbackRequestSchema);
  if (!body.ok) return badRequest(body.message);
  const outcome = await rollbackTo(params.value.name, params.value.namespace, body.value, guard.user);
  return Response.json(outcome, { status: httpStatusOf(outcome) });
}
