// The trace's summary line: root service and operation, start, duration, services (with colours), errors.
import type { TraceTree } from '@/lib/traces/span-tree';
import { formatDuration } from '@/lib/traces/time-layout';

export function TraceHeader({
  tree,
  colors,
  warnings,
  source,
}: {
  tree: TraceTree;
  colors: ReadonlyMap<string, string>;
  /** The trace's own warnings (from the backend, or what reading it repaired at trace level). */
  warnings?: readonly string[] | null;
  source?: string;
}) {
  const root = tree.nodes[0];
  let spansWithWarnings = 0;
  for (const n of tree.nodes) if (n.span.warnings && n.span.warnings.length > 0) spansWithWarnings++;
  return (
    <div className="border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      <h1 className="text-lg font-semibold">
        {root ? `${root.serviceName}: ${root.span.operationName}` : 'Empty trace'}{' '}
        <span className="font-mono text-sm font-normal text-slate-600 dark:text-slate-400">
          {tree.traceID}
        </span>
      </h1>
      <dl className="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
        <div>
          <dt className="inline text-slate-600 dark:text-slate-400">Start </dt>
          <dd className="inline">{new Date(tree.startTime / 1000).toLocaleString()}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600 dark:text-slate-400">Duration </dt>
          <dd className="inline">{formatDuration(tree.duration)}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600 dark:text-slate-400">Spans </dt>
          <dd className="inline">{tree.nodes.length}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600 dark:text-slate-400">Depth </dt>
          <dd className="inline">{tree.maxDepth + 1}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600 dark:text-slate-400">Errors </dt>
          <dd
            data-testid="trace-error-count"
            className={`inline ${tree.errorCount > 0 ? 'font-semibold text-red-700 dark:text-red-300' : ''}`}
          >
            {tree.errorCount}
          </dd>
        </div>
        {source ? (
          <div>
            <dt className="inline text-slate-600 dark:text-slate-400">From file </dt>
            <dd className="inline font-mono">{source}</dd>
          </div>
        ) : null}
      </dl>
      {spansWithWarnings > 0 || (warnings && warnings.length > 0) ? (
        <div
          role="note"
          data-testid="trace-warnings"
          className="mt-1 text-xs text-amber-800 dark:text-amber-300"
        >
          {spansWithWarnings > 0
            ? `${spansWithWarnings} span${spansWithWarnings === 1 ? ' has' : 's have'} warnings (what was repaired to show them is listed in each span's detail). `
            : ''}
          {warnings?.join(' · ')}
        </div>
      ) : null}
      <ul aria-label="Services" className="mt-1 flex flex-wrap gap-2 text-xs">
        {tree.services.map((s) => (
          <li key={s.name} className="flex items-center gap-1">
            <span
              aria-hidden
              className="h-2.5 w-2.5 rounded-sm"
              style={{ backgroundColor: colors.get(s.name) }}
            />
            {s.name} <span className="text-slate-600 dark:text-slate-400">({s.spanCount})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
