// PUT /api/canary/{namespace}/{name}: apply a split, `{split, resourceVersion, scope?}`. Same-origin
// only, signed in when MESHLENS_AUTH=token; a stale resourceVersion answers 409 with both splits.

import { guardWrite } from '@/lib/auth/guard';
import { applySplit } from '@/lib/canary/apply';
import { ApplyRequestSchema } from '@/lib/canary/apply-plan';
import { parseBody, parseServiceParams, type ServiceRoute } from '@/lib/canary/params';
import { answerBadRequest, answerOutcome } from '@/lib/http/answer';

export async function PUT(request: Request, ctx: ServiceRoute) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return answerBadRequest(params.message);
  const body = await parseBody(request, ApplyRequestSchema);
  if (!body.ok) return answerBadRequest(body.message);
  return answerOutcome(await applySplit(params.value.name, params.value.namespace, body.value, guard.user));
}
