// GET /api/traces/operations?service= — a service's operation names.

import { answerError, answerInvalid, answerJson } from '@/lib/http/answer';
import type { OperationsResponse } from '@/lib/traces/api-types';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { parseSearchState } from '@/lib/traces/search-params';
import { jaeger } from '@/lib/traces/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const service = new URL(request.url).searchParams.get('service') ?? '';
  // The search's own validation of a service name.
  const parsed = parseSearchState(new URLSearchParams({ service }));
  if (!parsed.ok || !parsed.state.service) return answerInvalid('service: a service name is required');
  const result = await jaeger().operations(parsed.state.service);
  return result.ok
    ? answerJson({
        operations: [...new Set(result.value.map((o) => o.name))].sort(),
      } satisfies OperationsResponse)
    : answerError(jaegerApiError(result.error));
}
