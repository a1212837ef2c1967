// A span's references and the spans that link to it, each followable: within this trace it selects the
// span, into another trace it opens that trace at the span.
import Link from 'next/link';
import { linkedFrom, spanLinks } from '@/lib/traces/span-links';
import type { SpanNode, TraceTree } from '@/lib/traces/span-tree';
import { getLocalTrace, localTraceHref } from './local-traces';

/** A trace opened from a file is followed in the tab's memory; any other from the backend. */
function traceHref(traceId: string): string {
  return getLocalTrace(traceId) ? localTraceHref(traceId) : `/traces/${encodeURIComponent(traceId)}`;
}

const LINK =
  'text-sky-700 underline hover:text-sky-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300';

export function SpanLinksList({
  tree,
  node,
  onSelectSpan,
}: {
  tree: TraceTree;
  node: SpanNode;
  onSelectSpan: (key: string) => void;
}) {
  const links = spanLinks(tree, node);
  const incoming = linkedFrom(tree, node);
  if (links.length === 0 && incoming.length === 0)
    return <p className="text-xs text-slate-600 dark:text-slate-400">none</p>;
  return (
    <ul data-testid="span-links" className="space-y-1 text-xs">
      {links.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: references are a fixed list in span order
        <li key={i} data-link-span-id={l.spanID}>
          <span className="font-mono text-slate-600 dark:text-slate-300">{l.refType}</span>
          {l.isParent ? ' (parent) ' : ' '}
          {l.targetKey !== undefined ? (
            <button type="button" className={LINK} onClick={() => onSelectSpan(l.targetKey as string)}>
              {`Go to span ${l.spanID}`}
            </button>
          ) : l.traceID !== tree.traceID ? (
            <Link className={LINK} href={`${traceHref(l.traceID)}?span=${encodeURIComponent(l.spanID)}`}>
              {`Open span ${l.spanID} in trace ${l.traceID}`}
            </Link>
          ) : (
            <span className="text-slate-600 dark:text-slate-400">{`span ${l.spanID} (not in this trace)`}</span>
          )}
        </li>
      ))}
      {incoming.map((n) => (
        <li key={n.key}>
          <span className="text-slate-600 dark:text-slate-300">linked from </span>
          <button type="button" className={LINK} onClick={() => onSelectSpan(n.key)}>
            {`${n.serviceName}: ${n.span.operationName}`}
          </button>
        </li>
      ))}
    </ul>
  );
}
