// /traces/{traceId}[?span=] — one trace as a waterfall, the span named by `span` selected. A small trace is
// fetched on the server and handed to the client's query cache, so the waterfall draws on first paint; a
// big one's bytes are preloaded by the page's head, so they arrive while the page's scripts load.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { preload } from 'react-dom';
import { TraceView } from '@/components/traces/trace-view';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { traceAnswerPath, traceKeys, traceOptions } from '@/lib/queries/traces';
import { loadTrace } from '@/lib/traces/load-trace';

interface Props {
  params: Promise<{ traceId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Trace ${(await params).traceId.slice(0, 12)} · Meshlens` };
}

export default async function TracePage({ params, searchParams }: Props) {
  const { traceId } = await params;
  const { span } = await searchParams;
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(traceOptions(traceId, () => loadTrace(traceId)));
  if (queryClient.getQueryData(traceKeys.trace(traceId)) === undefined) {
    // Matches the browser's plain `fetch(traceAnswerPath(id))` (same URL, CORS mode, credentials).
    preload(traceAnswerPath(traceId), { as: 'fetch', crossOrigin: 'anonymous' });
  }
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <TraceView
        key={traceId}
        traceId={traceId}
        initialSpanId={typeof span === 'string' ? span : undefined}
      />
    </HydrationBoundary>
  );
}
