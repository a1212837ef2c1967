// GET /api/traces/services — the services Jaeger has spans of.

import { answerError, answerJson } from '@/lib/http/answer';
import type { ServicesResponse } from '@/lib/traces/api-types';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { jaeger } from '@/lib/traces/server';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const result = await jaeger().services();
  return result.ok
    ? answerJson({ services: [...result.value].sort() } satisfies ServicesResponse)
    : answerError(jaegerApiError(result.error));
}
