// GET /api/exemplars?node= | ?source=&target= [&start=&end=|&duration=] — trace exemplars of Istio's request
// duration histogram for a graph node's inbound requests or an edge's, from Prometheus' query_exemplars.

import { answerError, answerInvalid, answerJson } from '@/lib/http/answer';
import type { ExemplarsResponse } from '@/lib/traces/api-types';
import { exemplarQuery } from '@/lib/traces/exemplars';
import { queryExemplars } from '@/lib/traces/exemplars-query';
import { prometheusBaseUrl } from '@/lib/traces/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const q = exemplarQuery(new URL(request.url).searchParams, Date.now() / 1000);
  if (!q.ok) return answerInvalid(q.error);
  const result = await queryExemplars(prometheusBaseUrl(), q);
  return result.ok
    ? answerJson({ exemplars: result.value } satisfies ExemplarsResponse)
    : answerError(result.error);
}
