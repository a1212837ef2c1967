// The graph's JSON written in chunks of elements, byte for byte what `JSON.stringify(graph)` writes: the
// answer starts leaving while the rest is serialised, and a 5,000-workload graph (18 MB) is never one
// string in the server's memory next to its UTF-8 copy.
import { directElements } from './elements';
import { JsonBytes, plainObjectsIterable } from './json-bytes';
import type { Graph } from './types';

/** Elements (nodes or edges) per chunk of the streamed answer: ~100 KB at 2 KB an element. */
export const GRAPH_JSON_CHUNK_ELEMENTS = 50;

/** The JSON of `graph` in pieces; joined, exactly `JSON.stringify(graph)`. */
export function* graphJsonChunks(graph: Graph, perChunk = GRAPH_JSON_CHUNK_ELEMENTS): Generator<string> {
  yield* objectChunks(graph as unknown as Record<string, unknown>, perChunk, 0);
}

/** An object's members in its own key order, as JSON.stringify skips and writes them. */
function* objectChunks(o: Record<string, unknown>, perChunk: number, depth: number): Generator<string> {
  let out = '{';
  let first = true;
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    // Streamed: the top level's `elements`, and its `nodes` and `edges` arrays; everything else whole.
    if (depth === 0 && key === 'elements' && isPlainObject(v)) {
      yield out;
      out = '';
      yield* objectChunks(v, perChunk, 1);
    } else if (depth === 1 && Array.isArray(v)) {
      yield out;
      out = '';
      yield* arrayChunks(v, perChunk);
    } else {
      out += JSON.stringify(v);
    }
  }
  yield `${out}}`;
}

function* arrayChunks(items: readonly unknown[], perChunk: number): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  // One JSON.stringify a chunk (its brackets cut, the first's `[` and the last's `]` kept): a call per
  // element cost twice the time of stringifying the whole graph at 35,000 elements.
  for (let i = 0; i < items.length; i += perChunk) {
    const text = JSON.stringify(items.slice(i, i + perChunk));
    const last = i + perChunk >= items.length;
    yield i === 0 ? (last ? text : text.slice(0, -1)) : `,${text.slice(1, last ? undefined : -1)}`;
  }
}

/** What tells a graph's view apart beyond its elements (`directElements` keeps its records apart by it). */
function viewOf(graph: Record<string, unknown>): string {
  return `${String(graph.graphType)}|${String(graph.latency)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/**
 * Bytes a pull of the streamed answer writes before handing them on (~1,800 elements): 22 pieces for the
 * 5,000-workload graph's 21 MB. Next pipes each piece to the socket and waits for its drain before the next pull;
 * against 256 KB pieces (83) that wait fell from 27–40 to 10–26 ms a polled answer (docs/benchmarks.md, round 14).
 */
export const GRAPH_JSON_PULL_BYTES = 1 << 20;

/**
 * The graph's JSON as UTF-8 bytes in pieces of about `pullBytes`, written straight into bytes (`json-bytes.ts`):
 * joined, exactly the UTF-8 of `JSON.stringify(graph)`.
 */
export function* graphJsonBytes(graph: Graph, pullBytes = GRAPH_JSON_PULL_BYTES): Generator<Uint8Array> {
  const w = new JsonBytes();
  yield* objectBytes(w, graph as unknown as Record<string, unknown>, 0, pullBytes);
  if (w.pos > 0) yield w.take();
}

/** `objectChunks` in bytes: the top level's `elements` and its arrays handed on as they fill a pull. */
function* objectBytes(
  w: JsonBytes,
  o: Record<string, unknown>,
  depth: number,
  pullBytes: number,
): Generator<Uint8Array> {
  w.raw('{');
  let first = true;
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) w.raw(',');
    first = false;
    w.string(key);
    w.raw(':');
    const direct = depth === 0 && key === 'elements' ? directElements(v, viewOf(o)) : undefined;
    if (direct !== undefined) {
      // Made by `graphElements`: written from the traffic map, without making the elements' data.
      w.raw('{"nodes":[');
      for (let i = 0; i < direct.nodes; i++) {
        if (i > 0) w.byte(0x2c);
        direct.node(w, i);
        if (w.pos >= pullBytes) yield w.take();
      }
      w.raw('],"edges":[');
      for (let i = 0; i < direct.edges; i++) {
        if (i > 0) w.byte(0x2c);
        direct.edge(w, i);
        if (w.pos >= pullBytes) yield w.take();
      }
      w.raw(']}');
    } else if (depth === 0 && key === 'elements' && isPlainObject(v)) {
      yield* objectBytes(w, v, 1, pullBytes);
    } else if (depth === 1 && Array.isArray(v)) {
      // Elements not made by `graphElements` (a lean page graph, a graph made by hand): generically.
      w.byte(0x5b);
      for (let i = 0; i < v.length; i++) {
        if (i > 0) w.byte(0x2c);
        if (!w.value(v[i])) w.raw('null');
        if (w.pos >= pullBytes) yield w.take();
      }
      w.byte(0x5d);
    } else {
      w.value(v);
    }
  }
  w.raw('}');
}

/**
 * The graph's JSON as a byte stream, pulled piece by piece (so a slow reader holds back the writing): written
 * straight into bytes, or (env `MESHLENS_GRAPH_JSON_STRINGIFY=1`, read per answer: an A/B on one build) by
 * `JSON.stringify` in chunks of elements and a UTF-8 encoder, as before. `done` runs once when the stream ends: read
 * to its end, cancelled (the client went away) or failed — the answer no longer reads the graph.
 */
export function graphJsonStream(
  graph: Graph,
  perChunk = GRAPH_JSON_CHUNK_ELEMENTS,
  done?: () => void,
): ReadableStream<Uint8Array> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    done?.();
  };
  const pieces = bytesOrText(graph, perChunk);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let next: Uint8Array | undefined;
      try {
        next = pieces.next().value;
      } catch (err) {
        end();
        throw err;
      }
      if (next === undefined) {
        end();
        controller.close();
      } else controller.enqueue(next);
    },
    cancel() {
      end();
    },
  });
}

/** The streamed answer's pieces (`graphJsonStream`). */
function* bytesOrText(graph: Graph, perChunk: number): Generator<Uint8Array> {
  if (process.env.MESHLENS_GRAPH_JSON_STRINGIFY !== '1' && plainObjectsIterable()) {
    yield* graphJsonBytes(graph);
    return;
  }
  const chunks = graphJsonChunks(graph, perChunk);
  const encoder = new TextEncoder();
  // A few chunks a pull: fewer, larger writes to the socket.
  for (;;) {
    let text = '';
    for (let i = 0; i < 8; i++) {
      const next = chunks.next();
      if (next.done) {
        if (text) yield encoder.encode(text);
        return;
      }
      text += next.value;
    }
    yield encoder.encode(text);
  }
}
