// PUT /api/canary/{namespace}/{name}: apply a split, `{split, resourceVersion, scope?}`. Same-origin
// only, signed in when MESHLENS_AUTH=token; a stale resourceVersion answers 409 with both splits.

import { guardWrite } from '@/lib/auth/guard';
import { ApplyRequestSchema, httpStatusOf } from '@/lib/canary/apply-plan';
import { applySplit } from '@/lib/canary/load';
import { badRequest, parseBody, parseServiceParams } from '@/lib/canary/params';
import type { ServiceRoute } from '@/lib/canary/respond';

export async function PUT(request: Request, ctx: ServiceRoute) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return badRequest(params.message);
  const body = await parseBody(request, ApplyRequestSchema);
  if (!body.ok) return badRequest(body.message);
  const outcome = await applySplit(params.value.name, params.value.namespace, body.value, guard.user);
  return Response.json(outcome, { status: httpStatusOf(outcome) });
}
