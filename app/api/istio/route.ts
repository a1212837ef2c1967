// GET /api/istio: every resource the control plane holds, with the findings on them.
// POST /api/istio: create `{resource}` (same-origin, signed in when MESHLENS_AUTH=token).
import { guardWrite } from '@/lib/auth/guard';
import { answerBadRequest } from '@/lib/http/answer';
import { answerIstio } from '@/lib/istio-config/answer';
import { parseResourceBody } from '@/lib/istio-config/request';
import { createResource, readIstioConfig } from '@/lib/istio-config/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  return answerIstio(await readIstioConfig());
}

export async function POST(request: Request) {
  const guard = await guardWrite(request);
  if (!guard.ok) return guard.response;
  const body = await parseResourceBody(request);
  if (!body.ok) return answerBadRequest(body.message);
  return answerIstio(await createResource(body.value, guard.user), 201);
}
