// GET /api/services/{namespace}/{name}/observed?window=30s: the live split by version from Prometheus.
import type { NextRequest } from 'next/server';
import { parseServiceParams, parseWindow, type ServiceRoute } from '@/lib/canary/params';
import { loadObserved } from '@/lib/canary/read-state';
import { answerBadRequest, answerLoaded } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return answerBadRequest(params.message);
  const window = parseWindow(request.nextUrl.searchParams.get('window'));
  if (!window.ok) return answerBadRequest(window.message);
  return answerLoaded(await loadObserved(params.value, window.value));
}
