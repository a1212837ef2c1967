// /traces — trace search: by service, operation, tags, errors, duration; a scatter plot and the results.
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TraceSearchPage } from '@/components/traces/trace-search-page';

export const metadata: Metadata = { title: 'Traces · Meshlens' };

export default function TracesPage() {
  return (
    // The search lives in the URL; reading it on the client needs a Suspense boundary.
    <Suspense fallback={<p className="p-4 text-sm text-slate-600 dark:text-slate-400">Loading…</p>}>
      <TraceSearchPage />
    </Suspense>
  );
}
