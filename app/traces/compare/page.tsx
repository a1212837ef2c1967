// /traces/compare?a={traceId}&b={traceId} — two traces compared span path by span path (Jaeger UI's trace
// diff); either may be a trace opened from a file in this tab.
import type { Metadata } from 'next';
import { TraceCompareView } from '@/components/traces/trace-compare-view';

export const metadata: Metadata = { title: 'Compare traces · Meshlens' };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function CompareTracesPage({ searchParams }: Props) {
  const { a, b } = await searchParams;
  const text = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '');
  return <TraceCompareView key={`${text(a)}|${text(b)}`} a={text(a)} b={text(b)} />;
}
