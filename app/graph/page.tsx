// The service graph (home page). The interactive view is a client leaf; it reads its state from the URL.
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { GraphView } from '@/components/graph/graph-view';

export const metadata: Metadata = { title: 'Graph · Meshlens' };

export default function GraphPage() {
  return (
    <Suspense fallback={<p className="p-4 text-sm text-slate-500">Loading the graph…</p>}>
      <GraphView />
    </Suspense>
  );
}
