// /traces/{traceId}[?span=] — one trace as a waterfall, the span named by `span` selected. A small trace is
// fetched on the server and handed to the client's query cache, so the waterfall draws on first paint; a
// big one's bytes are preloaded by the page's head, so they arrive while the page's scripts load, and up to
// a size the server reads it too and streams its first screen of rows (shown until the tab's own).
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { TracePreview } from '@/components/traces/trace-preview';
import { TraceLoading, TraceView } from '@/components/traces/trace-view';
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
  const initialSpanId = typeof span === 'string' ? span : undefined;
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(traceOptions(traceId, () => loadTrace(traceId)));
  const embedded = queryClient.getQueryData(traceKeys.trace(traceId)) !== undefined;
  if (!embedded) {
    // Matches the browser's plain `fetch(traceAnswerPath(id))` (same URL, CORS mode, credentials).
    preload(traceAnswerPath(traceId), { as: 'fetch', crossOrigin: 'anonymous' });
  }
  const loading = <TraceLoading traceId={traceId} />;
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <TraceView
        key={traceId}
        traceId={traceId}
        initialSpanId={initialSpanId}
        preview={
          embedded ? undefined : (
            <Suspense fallback={loading}>
              <TracePreview traceId={traceId} initialSpanId={initialSpanId} fallback={loading} />
            </Suspense>
          )
        }
      />
    </HydrationBoundary>
  );
}
