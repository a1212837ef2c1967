// A span's links: the references other than the one it hangs from in the tree (FOLLOWS_FROM, OTLP links,
// any reference into another trace), each followable to a span in this trace or to another trace.
import type { SpanNode, TraceTree } from './span-tree';

export interface SpanLink {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
  /** The linked span's key when it is in this trace. */
  targetKey?: string;
  /** Whether this reference is the span's parent in the tree (shown, not repeated as a link). */
  isParent: boolean;
}

export function spanLinks(tree: TraceTree, node: SpanNode): SpanLink[] {
  const parentSpanId = node.parentKey === undefined ? undefined : tree.byKey.get(node.parentKey)?.span.spanID;
  let parentSeen = false;
  return node.span.references.map((ref) => {
    const sameTrace = ref.traceID === tree.traceID || ref.traceID === node.span.traceID || ref.traceID === '';
    const target = sameTrace ? tree.byKey.get(ref.spanID) : undefined;
    const isParent = !parentSeen && sameTrace && ref.spanID === parentSpanId && ref.refType === node.refType;
    if (isParent) parentSeen = true;
    return {
      refType: ref.refType,
      traceID: ref.traceID || tree.traceID,
      spanID: ref.spanID,
      targetKey: target?.key,
      isParent,
    };
  });
}

/** Spans linked from elsewhere to `node` (the other direction: who FOLLOWS_FROM or links to it). */
export function linkedFrom(tree: TraceTree, node: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  for (const other of tree.nodes) {
    if (other.key === node.key || other.parentKey === node.key) continue;
    if (
      other.span.references.some(
        (r) => r.spanID === node.span.spanID && (r.traceID === tree.traceID || r.traceID === ''),
      )
    ) {
      out.push(other);
    }
  }
  return out;
}
