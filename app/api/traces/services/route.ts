// GET /api/traces/services — the services Jaeger has spans of.
import type { ServicesResponse } from '@/lib/traces/api-types';
import { failure, ok } from '@/lib/traces/http';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { jaeger } from '@/lib/traces/server';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const result = await jaeger().services();
  return result.ok
    ? ok({ services: [...result.value].sort() } satisfies ServicesResponse)
    : failure(jaegerApiError(result.error));
}
