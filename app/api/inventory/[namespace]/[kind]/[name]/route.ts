// GET /api/inventory/{namespace}/{applications|workloads|services}/{name}?duration=5m — one item with its
// inbound and outbound peers (rps, error share, p95, health).
import { answerInvalid, answerJson, answerOutcome } from '@/lib/http/answer';
import { parseDuration, parseItem } from '@/lib/inventory/params';
import { loadItem } from '@/lib/inventory/server';

export const dynamic = 'force-dynamic';

type Params = { namespace: string; kind: string; name: string };

export async function GET(request: Request, { params }: { params: Promise<Params> }): Promise<Response> {
  const p = await params;
  const item = parseItem(p.kind, p.namespace, p.name);
  if (!item.ok) return answerInvalid(item.message);
  const detail = await loadItem(
    item.kind,
    item.namespace,
    item.name,
    parseDuration(new URL(request.url).searchParams.get('duration')),
  );
  if (!detail)
    return answerOutcome({
      ok: false,
      kind: 'not-found',
      message: `No ${item.kind.slice(0, -1)} ${item.name} in ${item.namespace}.`,
    });
  return answerJson(detail);
}
