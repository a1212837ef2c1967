// GET /api/inventory?duration=5m — the mesh's applications, workloads and services with health, sidecar,
// labels and the Istio config that applies (the three lists filter it in the browser).
import { answerJson } from '@/lib/http/answer';
import { parseDuration } from '@/lib/inventory/params';
import { loadInventory } from '@/lib/inventory/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const duration = parseDuration(new URL(request.url).searchParams.get('duration'));
  return answerJson(await loadInventory(duration));
}
