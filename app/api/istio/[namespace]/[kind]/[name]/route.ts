// /api/istio/{namespace}/{kind}/{name}: GET one resource; PUT `{resource}` replaces it at its
// resourceVersion (409 answers the server's version too); DELETE removes it. Writes are same-origin
// only and signed in when MESHLENS_AUTH=token; the control plane records the user.
import { guardWrite } from '@/lib/auth/guard';
import { answerBadRequest } from '@/lib/http/answer';
import { answerIstio } from '@/lib/istio-config/answer';
import { checkReplace, parseResourceBody, parseResourceParams } from '@/lib/istio-config/request';
import { deleteResource, readResource, replaceResource } from '@/lib/istio-config/server';

export const dynamic = 'force-dynamic';

interface Route {
  params: Promise<{ namespace: string; kind: string; name: string }>;
}

export async function GET(_request: Request, ctx: Route) {
  const p = parseResourceParams(await ctx.params);
  if (!p.ok) return answerBadRequest(p.message);
  return answerIstio(await readResource(p.value.kind, p.value.namespace, p.value.name));
}

export async function PUT(request: Request, ctx: Route) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const p = parseResourceParams(await ctx.params);
  if (!p.ok) return answerBadRequest(p.message);
  const body = await parseResourceBody(request);
  if (!body.ok) return answerBadRequest(body.message);
  const resource = checkReplace(body.value, p.value);
  if (!resource.ok) return answerBadRequest(resource.message);
  return answerIstio(await replaceResource(resource.value, guard.user));
}

export async function DELETE(request: Request, ctx: Route) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const p = parseResourceParams(await ctx.params);
  if (!p.ok) return answerBadRequest(p.message);
  return answerIstio(await deleteResource(p.value.kind, p.value.namespace, p.value.name, guard.user));
}
