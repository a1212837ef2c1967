// GET /api/services/{namespace}/{name}/observed?window=30s: the live split by version from Prometheus.
import type { NextRequest } from 'next/server';
import { loadObserved } from '@/lib/canary/load';
import { badRequest, parseServiceParams, parseWindow } from '@/lib/canary/params';
import type { ServiceRoute } from '@/lib/canary/respond';
import { answer } from '@/lib/canary/respond';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, ctx: ServiceRoute) {
  const params = parseServiceParams(await ctx.params);
  if (!params.ok) return badRequest(params.message);
  const window = parseWindow(request.nextUrl.searchParams.get('window'));
  if (!window.ok) return badRequest(window.message);
  return answer(await loadObserved(params.value, window.value));
}
