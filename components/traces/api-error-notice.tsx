// A failed trace request in words: Jaeger unreachable, bad input, no such trace. Never a blank page.
import { ApiFailure, UNREACHABLE } from '@/lib/queries/fetch-json';

const TITLES: Record<string, string> = {
  jaeger_unavailable: 'Jaeger is unreachable',
  jaeger_error: 'Jaeger answered with an error',
  trace_not_found: 'Trace not found',
  invalid_request: 'Invalid search',
  prometheus_unavailable: 'Prometheus is unreachable',
  prometheus_error: 'Prometheus answered with an error',
  [UNREACHABLE]: 'The dashboard server did not answer',
};

export function ApiErrorNotice({ error, compact = false }: { error: Error; compact?: boolean }) {
  const code = error instanceof ApiFailure ? error.code : UNREACHABLE;
  return (
    <div
      role="alert"
      data-error-code={code}
      className={`rounded-md border border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100 ${
        compact ? 'px-2 py-1 text-xs' : 'px-4 py-3 text-sm'
      }`}
    >
      <p className="font-semibold">{TITLES[code] ?? 'Request failed'}</p>
      <p className="mt-0.5 break-words">{error.message}</p>
    </div>
  );
}
