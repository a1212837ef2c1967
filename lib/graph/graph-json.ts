// The graph's JSON written in chunks of elements, byte for byte what `JSON.stringify(graph)` writes: the
// answer starts leaving while the rest is serialised, and a 5,000-workload graph (18 MB) is never one
// string in the server's memory next to its UTF-8 copy.
import { isSealed } from './elements';
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
  for (const piece of pieces(graph, perChunk)) yield typeof piece === 'string' ? piece : piece.text;
}

/** A piece of the JSON kept with its chunk (`chunkTexts`), and its UTF-8 bytes once sent. */
interface KeptPiece {
  text: string;
  bytes: Uint8Array | undefined;
}

function pieces(graph: Graph, perChunk: number): Generator<string | KeptPiece> {
  return objectChunks(graph as unknown as Record<string, unknown>, perChunk, 0);
}

/** An object's members in its own key order, as JSON.stringify skips and writes them. */
function* objectChunks(
  o: Record<string, unknown>,
  perChunk: number,
  depth: number,
): Generator<string | KeptPiece> {
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

function* arrayChunks(items: readonly unknown[], perChunk: number): Generator<string | KeptPiece> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  // One JSON.stringify a chunk (its brackets cut, the first's `[` and the last's `]` kept): a call per
  // element cost twice the time of stringifying the whole graph at 35,000 elements.
  for (let i = 0; i < items.length; i += perChunk) {
    const to = Math.min(i + perChunk, items.length);
    const chunk = chunkOf(items, i, to);
    const last = to === items.length;
    // Where the chunk is: first (its `[` kept), last (its `]` kept), both, or neither.
    const form = (i === 0 ? 1 : 0) | (last ? 2 : 0);
    if (typeof chunk === 'string') yield cut(chunk, form);
    else {
      let piece = chunk.pieces[form];
      if (piece === undefined) {
        piece = { text: cut(chunk.text, form), bytes: undefined };
        chunk.pieces[form] = piece;
      }
      yield piece;
    }
  }
}

function cut(text: string, form: number): string {
  switch (form) {
    case 3:
      return text;
    case 1:
      return text.slice(0, -1);
    case 2:
      return `,${text.slice(1)}`;
    default:
      return `,${text.slice(1, -1)}`;
  }
}

/**
 * The texts of chunks of sealed elements (`{data}` with data `elements.ts` froze all the way down: `isSealed`), by
 * their first element's data: the same elements again, as a polled graph's unchanged ones are, are not written
 * again. Weak: an entry goes with its elements (`elements.ts` keeps the last graph's; ~20 MB of text at 5,000
 * workloads).
 */
const chunkTexts = new WeakMap<object, KeptChunk>();

interface KeptChunk {
  datas: readonly object[];
  /** `JSON.stringify` of the chunk's elements. */
  text: string;
  /** Its pieces as the stream cuts them, by where the chunk is (see `arrayChunks`). */
  pieces: (KeptPiece | undefined)[];
}

/** `JSON.stringify(items.slice(from, to))`, or the chunk kept with it when its elements are sealed. */
function chunkOf(items: readonly unknown[], from: number, to: number): string | KeptChunk {
  const first = sealedData(items[from]);
  if (first !== undefined) {
    const last = chunkTexts.get(first);
    if (last !== undefined && last.datas.length === to - from) {
      let same = true;
      for (let j = from + 1; j < to && same; j++) same = sealedData(items[j]) === last.datas[j - from];
      if (same) return last;
    }
  }
  const slice = items.slice(from, to);
  const text = JSON.stringify(slice);
  if (first === undefined) return text;
  const datas: object[] = new Array(slice.length);
  for (let j = 0; j < slice.length; j++) {
    const d = sealedData(slice[j]);
    if (d === undefined) return text;
    datas[j] = d;
  }
  const chunk: KeptChunk = { datas, text, pieces: [undefined, undefined, undefined, undefined] };
  chunkTexts.set(first, chunk);
  return chunk;
}

/** An element's data when the element is `{data}` alone and its data sealed (its JSON fixed), else undefined. */
function sealedData(item: unknown): object | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  let keys = 0;
  for (const key in item) {
    if (key !== 'data') return undefined;
    keys++;
  }
  const data = (item as { data?: unknown }).data;
  return keys === 1 && isSealed(data) ? (data as object) : undefined;
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
  const chunks = pieces(graph, perChunk);
  const encoder = new TextEncoder();
  const parts: (string | KeptPiece)[] = [];
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // A few chunks a pull: fewer, larger writes to the socket.
      parts.length = 0;
      let done = false;
      for (let i = 0; i < 8; i++) {
        const next = chunks.next();
        if (next.done) {
          done = true;
          break;
        }
        parts.push(next.value);
      }
      if (parts.length > 0) controller.enqueue(bytesOf(parts, encoder));
      if (done) controller.close();
    },
  });
}

/**
 * The UTF-8 of `parts` joined: one encoding of their text, or, when some are kept pieces, their bytes (encoded
 * once, the first time they are sent) copied into one array.
 */
function bytesOf(parts: readonly (string | KeptPiece)[], encoder: TextEncoder): Uint8Array {
  if (parts.some((p) => typeof p !== 'string')) {
    const arrays: Uint8Array[] = new Array(parts.length);
    let length = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string | KeptPiece;
      let bytes: Uint8Array;
      if (typeof p === 'string') bytes = encoder.encode(p);
      else {
        bytes = p.bytes ?? encoder.encode(p.text);
        p.bytes = bytes;
      }
      arrays[i] = bytes;
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  }
  let text = '';
  for (const p of parts) text += typeof p === 'string' ? p : p.text;
  return encoder.encode(text);
}
