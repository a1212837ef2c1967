// Which reference a span hangs from in the tree: its first CHILD_OF parent present in the trace, else its
// first FOLLOWS_FROM one, else the legacy `parentSpanID`. References into other traces are links only.
import type { Reference, Span } from './model';

export interface ParentRef {
  spanID: string;
  refType: Reference['refType'];
}

type SpanRefs = Pick<Span, 'traceID' | 'references' | 'parentSpanID'>;

const inTrace = (span: SpanRefs, ref: Reference) => ref.traceID === span.traceID || ref.traceID === '';

/** The parent of `span` among the spans `has` knows, or undefined for a root. */
export function parentRef(span: SpanRefs, has: (spanID: string) => boolean): ParentRef | undefined {
  let follows: Reference | undefined;
  for (const ref of span.references) {
    if (!inTrace(span, ref) || !has(ref.spanID)) continue;
    if (ref.refType === 'CHILD_OF') return { spanID: ref.spanID, refType: 'CHILD_OF' };
    follows ??= ref;
  }
  if (follows) return { spanID: follows.spanID, refType: 'FOLLOWS_FROM' };
  const legacy = span.parentSpanID;
  if (legacy !== undefined && legacy !== '' && !/^0+$/.test(legacy) && has(legacy)) {
    return { spanID: legacy, refType: 'CHILD_OF' };
  }
  return undefined;
}

/** The in-trace span ids a span names as its parent (to tell an orphan: it names one, none is present). */
export function namedParents(span: SpanRefs): string[] {
  const ids = span.references.filter((r) => inTrace(span, r)).map((r) => r.spanID);
  const legacy = span.parentSpanID;
  if (legacy !== undefined && legacy !== '' && !/^0+$/.test(legacy)) ids.push(legacy);
  return ids;
}
