// /traces/{traceId}[?span=] — one trace as a waterfall, the span named by `span` selected.
import type { Metadata } from 'next';
import { TraceView } from '@/components/traces/trace-view';

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
  return (
    <TraceView key={traceId} traceId={traceId} initialSpanId={typeof span === 'string' ? span : undefined} />
  );
}
