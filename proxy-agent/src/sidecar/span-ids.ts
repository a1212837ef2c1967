// A span's random ids, as OpenTelemetry's RandomIdGenerator makes them (lowercase hex, never all zero),
// and the sampling of a new trace, as its TraceIdRatioBasedSampler decides it: the XOR of the trace id's
// four 32-bit words against ratio × 0xffffffff. The XOR is kept from the numbers the id is made of, so
// a new trace's decision needs no parsing of its hex (the sampler's loop was ~8 % of a span's cost).

const WORDS = Buffer.allocUnsafe(16);

/** A random 32-bit word, as RandomIdGenerator draws each. */
const randomWord = (): number => (Math.random() * 4294967296) >>> 0;

/** Big-endian, as Buffer#writeUInt32BE writes it, without its checks and call. */
function putWord(at: number, v: number): void {
  WORDS[at] = v >>> 24;
  WORDS[at + 1] = (v >>> 16) & 0xff;
  WORDS[at + 2] = (v >>> 8) & 0xff;
  WORDS[at + 3] = v & 0xff;
}

export class SpanIds {
  /** TraceIdRatioBasedSampler's key of the last trace id made: the XOR of its four 32-bit words. */
  traceKey = 0;

  traceId(): string {
    const a = randomWord();
    const b = randomWord();
    const c = randomWord();
    let d = randomWord();
    // All zero is not a valid id: the last byte becomes 1, as RandomIdGenerator does.
    if ((a | b | c | d) === 0) d = 1;
    putWord(0, a);
    putWord(4, b);
    putWord(8, c);
    putWord(12, d);
    this.traceKey = (a ^ b ^ c ^ d) >>> 0;
    return WORDS.toString('hex', 0, 16);
  }

  spanId(): string {
    const a = randomWord();
    let b = randomWord();
    if ((a | b) === 0) b = 1;
    putWord(0, a);
    putWord(4, b);
    return WORDS.toString('hex', 0, 8);
  }
}

/**
 * TraceIdRatioBasedSampler's bound for a ratio (0 … 1; NaN as 0): a trace is sampled when its key is
 * below it (every key at 1, none at 0).
 */
export function samplingBound(ratio: number): number {
  const r = Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
  return r === 1 ? 0x100000000 : Math.floor(r * 0xffffffff);
}

/**
 * The key of a trace id given in hex (a caller's, 32 lowercase hex digits as b3.ts normalises them):
 * TraceIdRatioBasedSampler's `_accumulate`, the XOR of its four 32-bit words.
 */
export function traceKeyOf(traceId: string): number {
  let key = 0;
  for (let i = 0; i < 32; i += 8) key = (key ^ Number.parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return key;
}
