// The tree-level repairs of a trace read leniently: duplicate span ids, orphans (parents that never
// arrived), several roots, parent cycles, FOLLOWS_FROM-only spans, missing start times, and clock skew
// (a child starting before its parent is shifted into it, as Jaeger's clock-skew adjuster does). Each
// repair is said in the span's `warnings`. O(n) in spans; mutates the spans it is given.
import type { ReadTrace } from './lenient-trace';
import type { Span, Trace } from './model';
import { namedParents, parentRef } from './parent-ref';

function addWarning(span: Span, message: string): void {
  if (span.warnings) span.warnings.push(message);
  else span.warnings = [message];
}

/** µs as a short text for warnings. */
function us(n: number): string {
  return Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(3)} ms` : `${n} µs`;
}

/**
 * The parent of each span as the repair left it (in-trace references resolved to the first span with that
 * id, cycles broken), so that the span tree need not resolve 100,000 references a second time.
 */
export interface SpanStructure {
  /** The spans it describes: stale once the trace's span list is replaced. */
  spans: readonly Span[];
  firstById: ReadonlyMap<string, number>;
  /** Index of each span's parent, -1 for a root. */
  parent: Int32Array;
  /** 1 where the span hangs from its parent by FOLLOWS_FROM. */
  followsOnly: Uint8Array;
}

const structures = new WeakMap<Trace, SpanStructure>();

/**
 * The structure `repairStructure` found for this trace, unless its spans changed since. Handed out once:
 * the span tree keeps what it needs, and a 100,000-span trace should not hold a second id map for life.
 */
export function takeRepairedStructure(trace: Trace): SpanStructure | undefined {
  const s = structures.get(trace);
  structures.delete(trace);
  return s && s.spans === trace.spans && s.parent.length === trace.spans.length ? s : undefined;
}

export function repairStructure({ trace, missingStart }: ReadTrace): Trace {
  const spans = trace.spans;
  const n = spans.length;
  const firstById = new Map<string, number>();
  // Only repeated ids are counted: a map of every id's count would double the work on a big trace.
  const idCount = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = (spans[i] as Span).spanID;
    if (!firstById.has(id)) firstById.set(id, i);
    else idCount.set(id, (idCount.get(id) ?? 1) + 1);
  }
  const has = (id: string) => firstById.has(id);

  const parent = new Int32Array(n).fill(-1);
  const followsOnly = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const span = spans[i] as Span;
    const count = idCount.size === 0 ? 1 : (idCount.get(span.spanID) ?? 1);
    if (count > 1) addWarning(span, `span id ${span.spanID} is used by ${count} spans; each is its own row`);
    const ref = parentRef(span, has);
    const p = ref === undefined ? -1 : (firstById.get(ref.spanID) ?? -1);
    if (p === i || p < 0) {
      const named = namedParents(span).filter((id) => id !== span.spanID);
      if (named.length > 0) {
        addWarning(span, `parent span ${named[0]} is not in this trace (orphan); shown as a root`);
      }
      continue;
    }
    parent[i] = p;
    if (ref?.refType === 'FOLLOWS_FROM') followsOnly[i] = 1;
  }

  // Parent cycles: the span at which a chain comes back to itself drops its in-trace references.
  const state = new Uint8Array(n); // 0 new, 1 on the chain being walked, 2 done
  const chain: number[] = [];
  for (let start = 0; start < n; start++) {
    chain.length = 0;
    let cur = start;
    while (cur >= 0 && state[cur] === 0) {
      state[cur] = 1;
      chain.push(cur);
      cur = parent[cur] as number;
    }
    if (cur >= 0 && state[cur] === 1) {
      const span = spans[cur] as Span;
      const dropped = namedParents(span);
      span.references = span.references.filter((r) => r.traceID !== span.traceID && r.traceID !== '');
      delete span.parentSpanID;
      parent[cur] = -1;
      followsOnly[cur] = 0;
      addWarning(
        span,
        `its parent reference (${dropped.join(', ')}) closed a cycle; dropped, shown as a root`,
      );
    }
    for (const c of chain) state[c] = 2;
  }
  for (let i = 0; i < n; i++) {
    if (followsOnly[i]) {
      const span = spans[i] as Span;
      addWarning(
        span,
        `no CHILD_OF parent; placed under the span it FOLLOWS_FROM (${spans[parent[i] as number]?.spanID})`,
      );
    }
  }

  // Children lists in one array (counting sort by parent), so a 100,000-span trace allocates two arrays.
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++)
    if ((parent[i] as number) >= 0) (childStart[(parent[i] as number) + 1] as number)++;
  for (let i = 0; i < n; i++) childStart[i + 1] = (childStart[i + 1] as number) + (childStart[i] as number);
  const fill = childStart.slice(0, n);
  const children = new Int32Array(n);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    if (p < 0) roots.push(i);
    else children[(fill[p] as number)++] = i;
  }

  let minStart = Number.POSITIVE_INFINITY;
  for (const s of spans) if (!Number.isNaN(s.startTime) && s.startTime < minStart) minStart = s.startTime;
  if (!Number.isFinite(minStart)) minStart = 0;
  const startOf = (i: number) => {
    const t = (spans[i] as Span).startTime;
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  roots.sort((a, b) => startOf(a) - startOf(b) || a - b);
  if (roots.length > 1) {
    for (const r of roots.slice(1)) {
      addWarning(spans[r] as Span, `the trace has ${roots.length} root spans; this is one of them`);
    }
  }

  // Depth-first from the roots, each span placed after its parent: missing starts, then clock skew.
  const stack: number[] = [];
  const shiftOf = new Float64Array(n);
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r] as number);
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const span = spans[i] as Span;
    const p = parent[i] as number;
    const parentSpan = p >= 0 ? (spans[p] as Span) : undefined;
    let shift = p >= 0 ? (shiftOf[p] as number) : 0;
    if (missingStart.has(span)) {
      span.startTime = parentSpan ? parentSpan.startTime : minStart;
      shift = 0;
    } else if (shift !== 0) {
      span.startTime += shift;
      addWarning(span, `shifted by ${us(shift)} with its parent (clock skew)`);
    }
    if (parentSpan && !followsOnly[i] && span.startTime < parentSpan.startTime) {
      const early = parentSpan.startTime - span.startTime;
      const slack = Math.max(0, Math.floor((parentSpan.duration - span.duration) / 2));
      const delta = early + slack;
      span.startTime += delta;
      shift += delta;
      addWarning(
        span,
        `clock skew: started ${us(early)} before its parent; timestamps shifted by +${us(delta)} into the parent`,
      );
    }
    shiftOf[i] = shift;
    for (const log of span.logs) {
      log.timestamp = Number.isNaN(log.timestamp) ? span.startTime : log.timestamp + shift;
    }
    for (let c = (childStart[i + 1] as number) - 1; c >= (childStart[i] as number); c--) {
      stack.push(children[c] as number);
    }
  }
  structures.set(trace, { spans, firstById, parent, followsOnly });
  return trace;
}
