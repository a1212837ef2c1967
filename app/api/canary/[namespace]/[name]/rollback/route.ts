// POST /api/canary/{namespace}/{name}/rollback: restore the VirtualService a history entry wrote,
// `{to: <its resourceVersion>, resourceVersion: <the current one as read>}`. Guarded like Apply.

import { guardWrite } from '@/lib/auth/guard';
import { rollbackTo } from '@/lib/canary/apply';
import { RollbackRequestSchema } from '@/lib/canary/apply-plan';
import { parseBody, parseServiceParams, type ServiceRoute } from '@/lib/canary/params';
import { answerBadRequest, answerOutcome } from '@/lib/http/answer';

export async function POST(request: Request, ctx: ServiceRoute) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return answerBadRequest(params.message);
  const body = await parseBody(request, RollbackRequestSchema);
  if (!body.ok) return answerBadRequest(body.message);
  return answerOutcome(await rollbackTo(params.value.name, params.value.namespace, body.value, guard.user));
}
