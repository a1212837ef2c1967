// The span detail pane: the hop's outcome first (status, response flags in words, retry attempts and
// their endpoints), then tags, process and events, as Jaeger UI lists them.
import { grpcStatusInWords, hopFacts } from '@/lib/traces/span-facts';
import type { SpanNode, TraceTree } from '@/lib/traces/span-tree';
import { formatDuration } from '@/lib/traces/time-layout';
import { AttemptsTable } from './attempts-table';
import { KeyValueTable } from './key-value-table';
import { SpanLinksList } from './span-links-list';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="mt-3">
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
        {title}
      </h3>
      {children}
    </section>
  );
}

export function SpanDetail({
  tree,
  node,
  traceStart,
  color,
  onSelectSpan,
}: {
  tree: TraceTree;
  node: SpanNode;
  traceStart: number;
  color: string;
  /** Selects another span of this trace (a link followed). */
  onSelectSpan: (key: string) => void;
}) {
  const { span } = node;
  const facts = hopFacts(span);
  return (
    <aside
      aria-label="Span detail"
      data-testid="span-detail"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to be scrolled by keyboard (WCAG 2.1.1)
      tabIndex={0}
      className="min-h-0 overflow-y-auto p-3 text-sm focus-visible:outline-2 focus-visible:outline-sky-500"
    >
      <h2 className="flex items-center gap-2 font-semibold">
        <span aria-hidden className="h-3 w-3 rounded-sm" style={{ backgroundColor: color }} />
        <span>{node.serviceName}</span>
      </h2>
      <p className="break-all text-slate-600 dark:text-slate-300">{span.operationName}</p>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
        {node.isError || facts.statusCode !== undefined ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">status</dt>
            <dd
              data-testid="span-status"
              className={node.isError ? 'font-semibold text-red-700 dark:text-red-300' : 'font-semibold'}
            >
              {facts.statusCode === 0 ? '0 (no response)' : (facts.statusCode ?? 'n/a')}
              {node.isError ? ' — error' : ''}
            </dd>
          </>
        ) : null}
        {facts.grpcStatus ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">gRPC status</dt>
            <dd
              data-testid="span-grpc-status"
              className={facts.grpcStatus.code !== 0 ? 'font-semibold text-red-700 dark:text-red-300' : ''}
            >
              {grpcStatusInWords(facts.grpcStatus)}
            </dd>
          </>
        ) : null}
        <dt className="text-slate-600 dark:text-slate-400">duration</dt>
        <dd>{formatDuration(span.duration)}</dd>
        <dt className="text-slate-600 dark:text-slate-400">start</dt>
        <dd>+{formatDuration(node.startTime - traceStart)}</dd>
        {facts.kind ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">kind</dt>
            <dd>{facts.kind}</dd>
          </>
        ) : null}
        {facts.method || facts.url ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">request</dt>
            <dd className="break-all">{[facts.method, facts.url].filter(Boolean).join(' ')}</dd>
          </>
        ) : null}
        {facts.upstreamCluster ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">upstream</dt>
            <dd className="break-all font-mono">{facts.upstreamCluster}</dd>
          </>
        ) : null}
        {facts.peerAddress ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">peer</dt>
            <dd className="font-mono">{facts.peerAddress}</dd>
          </>
        ) : null}
        <dt className="text-slate-600 dark:text-slate-400">span id</dt>
        <dd className="font-mono">{span.spanID}</dd>
      </dl>
      {span.warnings && span.warnings.length > 0 ? (
        <Section title={`Warnings (${span.warnings.length})`}>
          <ul
            data-testid="span-warnings"
            className="list-disc pl-4 text-xs text-amber-800 dark:text-amber-300"
          >
            {span.warnings.map((w, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; the same text may repeat
              <li key={i}>{w}</li>
            ))}
          </ul>
        </Section>
      ) : null}
      {facts.responseFlags ? (
        <Section title="Response flags">
          <ul data-testid="span-flags" className="text-xs">
            {facts.responseFlags.map((f) => (
              <li key={f.flag}>
                <span className="font-mono font-semibold text-red-700 dark:text-red-400">{f.flag}</span> —{' '}
                {f.meaning}
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      {facts.attempts.length > 0 ? (
        <Section title={`Attempts (${facts.attempts.length})`}>
          <AttemptsTable attempts={facts.attempts} />
        </Section>
      ) : null}
      <Section title="Links and references">
        <SpanLinksList tree={tree} node={node} onSelectSpan={onSelectSpan} />
      </Section>
      <Section title="Tags">
        <KeyValueTable items={span.tags} label="Span tags" />
      </Section>
      <Section title={`Process: ${node.process.serviceName}`}>
        <KeyValueTable items={node.process.tags} label="Process tags" />
      </Section>
      <Section title={`Events (${span.logs.length})`}>
        {span.logs.length === 0 ? <p className="text-xs text-slate-600 dark:text-slate-400">none</p> : null}
        {span.logs.map((log, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: logs are a fixed list in span order
          <div key={i} className="mb-2">
            <p className="text-xs text-slate-600 dark:text-slate-400">
              +{formatDuration(log.timestamp - traceStart)}
            </p>
            <KeyValueTable items={log.fields} label="Event fields" />
          </div>
        ))}
      </Section>
    </aside>
  );
}
