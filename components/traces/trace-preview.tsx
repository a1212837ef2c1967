// A big trace's first screen, drawn on the server and streamed with its page (server component): the
// header and the rows the waterfall opens on, shown until the tab has read the whole trace and draws its own
// (interactive) waterfall in their place. Nothing when the trace is too big to read on the server.
import { firstScreen } from '@/lib/traces/first-screen';
import { serviceColors } from '@/lib/traces/service-colors';
import { loadTracePreview } from '@/lib/traces/trace-preview';
import { SpanRow } from './span-row';
import { TraceHeader } from './trace-header';

export async function TracePreview({
  traceId,
  initialSpanId,
  fallback,
}: {
  traceId: string;
  initialSpanId?: string;
  /** Shown when there is no preview. */
  fallback: React.ReactNode;
}) {
  const read = await loadTracePreview(traceId);
  if (!read) return fallback;
  const { trace, tree } = read;
  const colors = serviceColors(tree.services.map((s) => s.name));
  const screen = firstScreen(tree, initialSpanId);
  const view = { start: tree.startTime, end: tree.endTime };
  return (
    <div className="flex min-h-0 flex-1 flex-col" aria-busy="true">
      <TraceHeader tree={tree} colors={colors} warnings={trace.warnings} />
      <p className="border-b border-slate-200 px-4 py-2 text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
        Reading all {tree.nodes.length} spans in the page…
      </p>
      <div className="flex bg-slate-50 text-xs font-semibold text-slate-600 dark:bg-slate-900 dark:text-slate-300">
        <div className="w-[34%] shrink-0 px-2 py-1">Service &amp; operation</div>
      </div>
      <div className="flex min-h-0 flex-1">
        <section
          aria-label={`Spans (first ${screen.rows.length} of ${screen.visibleCount} shown while the trace loads)`}
          data-testid="waterfall-preview"
          className="min-h-0 flex-1 overflow-hidden"
        >
          {screen.rows.map((node) => (
            <SpanRow
              key={node.key}
              node={node}
              color={colors.get(node.serviceName) ?? '#64748b'}
              view={view}
              collapsed={screen.collapsed.has(node.key)}
              hiddenCount={screen.collapsed.has(node.key) ? node.descendants : 0}
              selected={node.key === screen.selectedKey}
            />
          ))}
        </section>
        {/* Where the span detail pane opens. */}
        <div className="w-96 shrink-0 border-l border-slate-200 dark:border-slate-800" />
      </div>
    </div>
  );
}
