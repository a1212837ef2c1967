// GET /api/graph?namespaces=&graphType=&duration=&queryTime= — the service graph (Kiali's parameters),
// its JSON streamed in chunks of elements (the same bytes as one `JSON.stringify`).
import { buildGraph } from '@/lib/graph/build-graph';
import { graphJsonStream } from '@/lib/graph/graph-json';
import { parseGraphParams } from '@/lib/graph/params';
import { graphDeps } from '@/lib/graph/server';
import { answerError } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const params = parseGraphParams(new URL(request.url).searchParams);
  if (!params.ok) return answerError({ code: 'bad_request', message: params.message });
  const result = await buildGraph(params.value, graphDeps());
  if (!result.ok) return answerError(result.error);
  // Serialising happens while the answer is sent: Server-Timing has the phases before it.
  const timing = Object.entries(result.timings)
    .map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`)
    .join(', ');
  return new Response(graphJsonStream(result.graph), {
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'server-timing': timing },
  });
}
