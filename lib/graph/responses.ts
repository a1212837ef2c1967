// The per-code response maps of the graph's JSON (`responses`: code → flags and hosts, each as % of the
// element's requests), kept cheap for V8 over the thousands of them a large graph has.
import { round } from './rounding';
import type { ResponseCounts } from './traffic-map';
import type { Responses } from './types';

/** An array index no response code reaches (see `codeKeyed`). */
const SPARSE_INDEX = 2 ** 30;

/**
 * An empty object for keys that are response codes ("200", "503"). V8 keeps integer-like keys as array
 * elements, so `o["503"] = x` on a plain object allocates a 504-slot backing array (6 KB): over the
 * thousands of response maps of a large graph, tens of MB and most of its garbage-collection time.
 * Created with one far index, deleted again, the object keeps its elements in a dictionary: the same
 * object to everything else (keys, order, JSON), at a few dozen bytes.
 */
export function codeKeyed<T>(): Record<string, T> {
  const out: Record<string, T> = { [SPARSE_INDEX]: undefined as T };
  delete out[SPARSE_INDEX];
  return out;
}

/** The response map of an element with `total` requests per second. */
export function responsesOf(codes: ResponseCounts, total: number): Responses {
  const out: Responses = codeKeyed();
  const keys = codes.size > 1 ? [...codes.keys()].sort(compare) : codes.keys();
  for (const code of keys) {
    const c = codes.get(code) as { flags: Map<string, number>; hosts: Map<string, number> };
    out[code] = { flags: sharesOf(c.flags, total), hosts: sharesOf(c.hosts, total) };
  }
  return out;
}

/** Each key's share of `total`, in %, 2 decimals (0 without traffic). */
function sharesOf(counts: Map<string, number>, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of counts.keys()) out[k] = total > 0 ? round(((counts.get(k) as number) / total) * 100, 2) : 0;
  return out;
}

/** Code-unit order, not `localeCompare`: the same order for these ASCII keys at a tenth of the cost. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
