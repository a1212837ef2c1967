// The graph's JSON written in chunks of elements, byte for byte what `JSON.stringify(graph)` writes: the
// answer starts leaving while the rest is serialised, and a 5,000-workload graph (18 MB) is never one
// string in the server's memory next to its UTF-8 copy.
import type { Graph } from './types';

/**
 * Graphs of more elements than this go to a browser on the dashboard's machine uncompressed (env
 * `MESHLENS_GRAPH_COMPRESS_MAX_ELEMENTS`, read in `server.ts`): ~4 MB of JSON at ~580 bytes an element, as the
 * trace answers' bound. Next's gzip of the 5,000-workload graph's 20 MB (34,500 elements) cost 170–460 ms of the
 * server's CPU a request in the graph bench, where loopback carries the bytes for nothing.
 */
export const GRAPH_COMPRESS_MAX_ELEMENTS = 7_000;

/** Whether a graph is sent as it is (`no-transform`: Next's compression leaves it), by its elements. */
export function sentUncompressed(graph: Graph, maxElements: number): boolean {
  return graph.elements.nodes.length + graph.elements.edges.length > maxElements;
}

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** The graph's JSON as a byte stream, pulled chunk by chunk (so a slow reader holds back the writing). */
export function graphJsonStream(
  graph: Graph,
  perChunk = GRAPH_JSON_CHUNK_ELEMENTS,
): ReadableStream<Uint8Array> {
  const chunks = graphJsonChunks(graph, perChunk);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // A few chunks a pull: fewer, larger writes to the socket.
      let text = '';
      for (let i = 0; i < 8; i++) {
        const next = chunks.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += next.value;
      }
      controller.enqueue(encoder.encode(text));
    },
  });
}
