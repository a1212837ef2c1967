// /traces/file/{traceId}[?span=] — a trace opened from a file on the search page, shown without a backend.
import type { Metadata } from 'next';
import { LocalTraceView } from '@/components/traces/local-trace-view';

interface Props {
  params: Promise<{ traceId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Trace ${(await params).traceId.slice(0, 12)} (file) · Meshlens` };
}

export default async function LocalTracePage({ params, searchParams }: Props) {
  const { traceId } = await params;
  const { span } = await searchParams;
  return (
    <LocalTraceView
      key={traceId}
      traceId={traceId}
      initialSpanId={typeof span === 'string' ? span : undefined}
    />
  );
}
