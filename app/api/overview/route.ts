// GET /api/overview?duration=5m — one summary per namespace: items by health, inbound rate, error share,
// sparkline, Istio config counts and validity.
import { answerJson } from '@/lib/http/answer';
import { parseDuration } from '@/lib/inventory/params';
import { loadOverview } from '@/lib/inventory/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const duration = parseDuration(new URL(request.url).searchParams.get('duration'));
  return answerJson(await loadOverview(duration));
}
