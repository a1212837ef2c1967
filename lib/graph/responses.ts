// The per-code response maps of the graph's JSON (`responses`: code → flags and hosts, each as % of the
// element's requests), kept cheap for V8 over the thousands of them a large graph has.
import { round } from './rounding';
import { seriesMemoEntriesFromEnv } from './series-memo';
import type { NumberTally, Tally } from './tally';
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

/**
 * The response maps of elements whose requests all had one code, one flag and one host (each 100 %: most
 * elements of a mesh), kept frozen and shared by every element and build that has them: a mesh has a
 * few of these per service, and 35,000 elements at 5,000 workloads made four objects each per build. At
 * most `MESHLENS_GRAPH_SERIES_MEMO` (each comes from a request series' labels); past it they start over.
 */
const whole = new Map<string, Map<string, Map<string, Responses>>>();
let wholeCount = 0;

function wholeResponse(code: string, flag: string, host: string): Responses {
  const kept = whole.get(code)?.get(flag)?.get(host);
  if (kept) return kept;
  const out = codeKeyed<Responses[string]>();
  out[code] = Object.freeze({
    flags: Object.freeze({ [flag]: 100 }),
    hosts: Object.freeze({ [host]: 100 }),
  });
  Object.freeze(out);
  const bound = seriesMemoEntriesFromEnv();
  // A bound of 0 keeps none (each element its own map); past the bound they start over.
  if (bound === 0) return out;
  if (wholeCount >= bound) {
    whole.clear();
    wholeCount = 0;
  }
  let byFlag = whole.get(code);
  if (!byFlag) {
    byFlag = new Map();
    whole.set(code, byFlag);
  }
  let byHost = byFlag.get(flag);
  if (!byHost) {
    byHost = new Map();
    byFlag.set(flag, byHost);
  }
  byHost.set(host, out);
  wholeCount++;
  return out;
}

/** An element's rates by response code, then by flag and host (`ResponseCounts` of the traffic map). */
export type CodeCounts = Tally<{ flags: NumberTally; hosts: NumberTally }>;

/** The response map of an element with `total` requests per second. */
export function responsesOf(codes: CodeCounts, total: number): Responses {
  const whole = wholeResponsesOf(codes, total);
  if (whole !== undefined) return whole;
  const out: Responses = codeKeyed();
  const keys = responseCodesOf(codes);
  for (const code of keys) {
    const c = codes.get(code) as { flags: NumberTally; hosts: NumberTally };
    out[code] = { flags: sharesOf(c.flags, total), hosts: sharesOf(c.hosts, total) };
  }
  return out;
}

/**
 * The shared frozen response map of an element whose requests all had one code, one flag and one host (`responsesOf`
 * answers it), else undefined.
 */
export function wholeResponsesOf(codes: CodeCounts, total: number): Responses | undefined {
  if (!whole1(codes, total)) return undefined;
  const c = codes.firstValue() as { flags: NumberTally; hosts: NumberTally };
  return wholeResponse(
    codes.firstKey() as string,
    c.flags.firstKey() as string,
    c.hosts.firstKey() as string,
  );
}

/**
 * Whether `wholeResponsesOf` answers the whole response map of this code, flag and host (the same JSON), without
 * finding it: a kept element's check poll after poll.
 */
export function isWholeResponse(
  codes: CodeCounts,
  total: number,
  code: string,
  flag: string,
  host: string,
): boolean {
  if (codes.firstKey() !== code || !whole1(codes, total)) return false;
  const c = codes.firstValue() as { flags: NumberTally; hosts: NumberTally };
  return c.flags.firstKey() === flag && c.hosts.firstKey() === host;
}

/** Whether an element's requests all had one code, one flag and one host (each 100 % of `total`, rounded). */
function whole1(codes: CodeCounts, total: number): boolean {
  if (codes.size !== 1 || total <= 0) return false;
  const c = codes.firstValue() as { flags: NumberTally; hosts: NumberTally };
  return (
    c.flags.size === 1 &&
    c.hosts.size === 1 &&
    round(((c.flags.firstValue() as number) / total) * 100, 2) === 100 &&
    round(((c.hosts.firstValue() as number) / total) * 100, 2) === 100
  );
}

/** An element's response codes in the order `responsesOf` sets them (code-unit order). */
export function responseCodesOf(codes: CodeCounts): string[] {
  return codes.size > 1 ? codes.keys().sort(compare) : codes.keys();
}

/** Each key's share of `total`, in %, 2 decimals (0 without traffic). */
function sharesOf(counts: NumberTally, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  counts.forEach((v, k) => {
    out[k] = total > 0 ? round((v / total) * 100, 2) : 0;
  });
  return out;
}

/** Code-unit order, not `localeCompare`: the same order for these ASCII keys at a tenth of the cost. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
