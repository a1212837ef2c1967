// The lean page graph (`lean-graph.ts`) in columns: each field of the nodes (and of the edges) once, its values
// one per element in an array, instead of every field's name written again in every element's JSON — and an
// edge's ends as the index of its node, its id (`source->target`) not written when it is that. At 5,000
// workloads 12.6 MB of JSON become ~3 MB, which the server writes and the browser parses before the first
// frame. `fromColumns(toColumns(g))` gives the graph's JSON values back: the same fields and values, element
// by element (tested on the built graph of a mesh), only the order of an object's keys may differ.
//
// Generic over the fields (a field the graph gains is carried without a change here): a column holds every
// element's value (`v`), or those values coded by a short list of the distinct ones (`d` and `i`: health,
// namespace, protocol…), or, when every value is a plain object, that object's own columns (`o`); a field
// some elements lack holds the indices of those that have it (`at`) and the column over them.
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import type { PageGraph } from './lean-graph';

/** Most distinct values a column of strings is coded by (as an index into the list of them). */
export const DICTIONARY_MAX = 256;

export type Column =
  | { v: unknown[] }
  | { d: string[]; i: number[] }
  | { o: Columns }
  | { at: number[]; c: Column };

export interface Columns {
  /** Rows (elements). */
  n: number;
  /** One column per field, by name. */
  k: Record<string, Column>;
}

/** The page graph in columns: the graph's own fields as they are, its elements as columns. */
export interface ColumnGraph extends Omit<PageGraph, 'elements'> {
  columns: {
    nodes: Columns;
    /** The edges' fields but `id`, `source` and `target`. */
    edges: Columns;
    /** Each edge's source and target, as the index of its node. */
    source: number[];
    target: number[];
    /** The ids of the edges whose id is not `source->target` (at those edges' indices). */
    ids?: { at: number[]; v: string[] };
  };
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** JSON's values: what the answer would have carried (`undefined` dropped, NaN and ±Infinity as null). */
const jsonValue = (x: unknown): unknown => (typeof x === 'number' && !Number.isFinite(x) ? null : x);

function column(values: unknown[]): Column {
  if (values.length > 0 && values.every(isPlainObject)) return { o: columnsOf(values) };
  if (values.every((x) => typeof x === 'string')) {
    const index = new Map<string, number>();
    const i = new Array<number>(values.length);
    for (let r = 0; r < values.length; r++) {
      const s = values[r] as string;
      let at = index.get(s);
      if (at === undefined) {
        if (index.size === DICTIONARY_MAX) return { v: values };
        at = index.size;
        index.set(s, at);
      }
      i[r] = at;
    }
    // Coded only when that is shorter: a few values repeated, not ids.
    if (index.size * 4 < values.length) return { d: [...index.keys()], i };
  }
  return { v: values.map(jsonValue) };
}

/**
 * The columns of some plain objects (their fields whose value is not `undefined`, as JSON keeps them), less
 * the fields in `omit`.
 */
export function columnsOf(rows: readonly object[], omit?: ReadonlySet<string>): Columns {
  const n = rows.length;
  // Per field, its value in each row (undefined where the row lacks it), and how many rows have it.
  const fields: Record<string, { values: unknown[]; count: number }> = Object.create(null);
  for (let r = 0; r < n; r++) {
    const row = rows[r] as Record<string, unknown>;
    for (const key in row) {
      const value = row[key];
      if (value === undefined || typeof value === 'function' || omit?.has(key)) continue;
      let f = fields[key];
      if (!f) {
        f = { values: new Array<unknown>(n).fill(undefined), count: 0 };
        fields[key] = f;
      }
      f.values[r] = value;
      f.count++;
    }
  }
  const k: Record<string, Column> = {};
  for (const key in fields) {
    const f = fields[key] as { values: unknown[]; count: number };
    if (f.count === n) {
      k[key] = column(f.values);
      continue;
    }
    const at: number[] = [];
    const present: unknown[] = [];
    for (let r = 0; r < n; r++) {
      if (f.values[r] !== undefined) {
        at.push(r);
        present.push(f.values[r]);
      }
    }
    k[key] = { at, c: column(present) };
  }
  return { n, k };
}

/** Every value of a column, one per row of `n` (undefined where a row lacks the field). */
function valuesOf(c: Column, n: number): unknown[] {
  if ('v' in c) return c.v;
  if ('d' in c) return c.i.map((i) => c.d[i]);
  if ('o' in c) return rowsOf(c.o);
  const inner = valuesOf(c.c, c.at.length);
  const out = new Array<unknown>(n).fill(undefined);
  for (let j = 0; j < c.at.length; j++) out[c.at[j] as number] = inner[j];
  return out;
}

/** The plain objects back from their columns. */
export function rowsOf(cols: Columns): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = Array.from({ length: cols.n }, () => ({}));
  for (const key in cols.k) {
    const values = valuesOf(cols.k[key] as Column, cols.n);
    for (let r = 0; r < cols.n; r++) {
      const value = values[r];
      if (value !== undefined) (rows[r] as Record<string, unknown>)[key] = value;
    }
  }
  return rows;
}

/** An edge's fields written apart from its columns. */
const EDGE_ENDS: ReadonlySet<string> = new Set(['id', 'source', 'target']);
/**
 * What the lean graph leaves out (`lean-graph.ts`' `leanNode` and `leanEdge`: a node's `responses` and an
 * edge's `traffic` kept empty, but the edge's protocol); the columns of the lean graph are made from the whole
 * graph's elements without copying them (tested equal to the lean graph's).
 */
const LEAN_NODE_OMITS: ReadonlySet<string> = new Set(['traffic', 'responses', 'destServices']);
const LEAN_EDGE_OMITS: ReadonlySet<string> = new Set([
  ...EDGE_ENDS,
  'traffic',
  'sourcePrincipal',
  'destPrincipal',
]);

const emptyObjects = (n: number): Column => ({ o: { n, k: {} } });

/**
 * The graph in columns — with `lean`, the lean page graph's (`pageGraph`'s, made from the whole graph
 * here); undefined when an edge's end is not one of its nodes (then sent as it is).
 */
export function toColumns(g: Graph, { lean = false } = {}): ColumnGraph | undefined {
  const { elements, ...rest } = g;
  const nodeIndex = new Map<string, number>();
  for (let i = 0; i < elements.nodes.length; i++)
    nodeIndex.set((elements.nodes[i] as { data: NodeData }).data.id, i);
  const edges = elements.edges;
  const source = new Array<number>(edges.length);
  const target = new Array<number>(edges.length);
  const ids: { at: number[]; v: string[] } = { at: [], v: [] };
  const data = new Array<EdgeData>(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const d = (edges[i] as { data: EdgeData }).data;
    const si = nodeIndex.get(d.source);
    const ti = nodeIndex.get(d.target);
    if (si === undefined || ti === undefined) return undefined;
    source[i] = si;
    target[i] = ti;
    if (d.id !== `${d.source}->${d.target}`) {
      ids.at.push(i);
      ids.v.push(d.id);
    }
    data[i] = d;
  }
  const nodeColumns = columnsOf(
    elements.nodes.map((n) => n.data),
    lean ? LEAN_NODE_OMITS : undefined,
  );
  const edgeColumns = columnsOf(data, lean ? LEAN_EDGE_OMITS : EDGE_ENDS);
  if (lean) {
    nodeColumns.k.responses = emptyObjects(nodeColumns.n);
    const traffic = columnsOf(data.map((d) => ({ protocol: d.traffic.protocol })));
    traffic.k.rates = emptyObjects(traffic.n);
    traffic.k.responses = emptyObjects(traffic.n);
    edgeColumns.k.traffic = { o: traffic };
  }
  return {
    ...rest,
    ...(lean ? { partial: true as const } : {}),
    columns: {
      nodes: nodeColumns,
      edges: edgeColumns,
      source,
      target,
      ...(ids.at.length > 0 ? { ids } : {}),
    },
  };
}

/** Whether an answer is a graph in columns. */
export function isColumnGraph(x: unknown): x is ColumnGraph {
  return isPlainObject(x) && isPlainObject(x.columns);
}

/** The page graph back from its columns (the JSON values the lean graph's answer carried). */
export function fromColumns(g: ColumnGraph): PageGraph {
  const { columns, ...rest } = g;
  const nodes = rowsOf(columns.nodes) as unknown as NodeData[];
  const others = rowsOf(columns.edges);
  const explicit = new Map<number, string>();
  columns.ids?.at.forEach((at, j) => {
    explicit.set(at, columns.ids?.v[j] as string);
  });
  const edges = others.map((other, i) => {
    const source = (nodes[columns.source[i] as number] as NodeData).id;
    const target = (nodes[columns.target[i] as number] as NodeData).id;
    const id = explicit.get(i) ?? `${source}->${target}`;
    return { data: { id, source, target, ...other } as EdgeData };
  });
  return {
    ...(rest as Omit<Graph, 'elements'>),
    elements: { nodes: nodes.map((data) => ({ data })), edges },
  };
}
