// JSON written straight into UTF-8 bytes, byte for byte what `JSON.stringify` then a UTF-8 encoder give, without
// the intermediate string: ASCII copied a code unit a byte, a key's `"key":` kept as bytes, a rate rounded to 4
// decimals written from its integer digits, anything rarer through `JSON.stringify` itself. It tells its caller
// whether a value was deep-frozen (`frozenValue`), so that the JSON of what cannot change is kept by the caller
// (`elements.ts`). For the graph's streamed answer (`graph-json.ts`).

/** Bytes a fresh chunk buffer starts with; a value that does not fit grows it. */
const INITIAL_BYTES = 1 << 18;

/**
 * Below this magnitude a double equal to `k / 10^4` (k an integer) is written as k's digits: its shortest
 * round-trip decimal is then k/10^4 itself (any other decimal of at most 4 places is ≥ 1e-4 away, more than half
 * its ulp here), which is what `Number.prototype.toString` and JSON write. Larger numbers go to `String`.
 */
const FIXED_MAX = 1e11;

/** The largest integer of 32 signed bits: up to it, `digits` divides integers (`smallDigits`). */
const INT32_MAX = 0x7fff_ffff;

export class JsonBytes {
  buf = new Uint8Array(INITIAL_BYTES);
  pos = 0;
  /** Whether the value being written holds anything not frozen, or not ASCII (then its text is not kept). */
  private thawed = false;

  /** The bytes written since the last take, and a fresh buffer for the next. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(Math.max(INITIAL_BYTES, this.pos + (this.pos >> 3)));
    this.pos = 0;
    return out;
  }

  /** Room for `n` more bytes (an element's most, reserved once: `put` and `putShort` then check nothing). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.ensure(n);
  }

  /** A kept view's bytes (`reserve` first): one `set`, no view made. */
  put(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A short constant's bytes (`reserve` first), copied by hand. */
  putShort(b: Uint8Array): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i] as number;
    this.pos = p;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** ASCII text with nothing to escape (JSON punctuation, a known key): copied as it is. */
  raw(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Any text (a `JSON.stringify` result): ASCII copied, the rest through the UTF-8 encoder. */
  text(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        this.thawed = true;
        this.pos = start;
        this.ensure(n * 3);
        this.pos += encoder.encodeInto(text, this.buf.subarray(this.pos)).written;
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** `len` bytes of `from` from `start` (a kept segment). */
  slice(from: Uint8Array, start: number, len: number): void {
    if (this.pos + len > this.buf.length) this.ensure(len);
    this.buf.set(from.subarray(start, start + len), this.pos);
    this.pos += len;
  }

  /** One byte of punctuation. */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Bytes as they are (a constant of the writer's caller, a kept text). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    // A short run copied by hand: `set` is a call into the runtime, dearer than a few stores.
    if (n > 32) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i] as number;
    this.pos = p;
  }

  /** A string as JSON writes it, quoted and escaped (ASCII copied a code unit a byte). */
  string(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.buf.length) this.ensure(n + 2);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Control characters, `"`, `\` and anything beyond ASCII: JSON.stringify's own escaping and the encoder.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.pos = start;
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** Any value (`value`), answering whether it and everything in it is frozen: its JSON can then be kept. */
  frozenValue(v: unknown): boolean {
    const outer = this.thawed;
    this.thawed = false;
    this.value(v);
    const frozen = !this.thawed && (typeof v !== 'object' || v === null || Object.isFrozen(v));
    this.thawed = outer || !frozen;
    return frozen;
  }

  /** A number as JSON writes it (`null` when not finite). */
  number(v: number): void {
    if (v === 0) {
      this.byte(0x30);
      return;
    }
    if ((v | 0) === v) {
      this.ensure(11);
      this.signed(v, 0);
      return;
    }
    const k = Math.round(v * 10_000);
    if (k / 10_000 === v && v < FIXED_MAX && v > -FIXED_MAX) {
      this.ensure(24);
      this.signed(k, 4);
      return;
    }
    this.raw(Number.isFinite(v) ? String(v) : 'null');
  }

  /**
   * `number(round(v, 4))` (`rounding.ts`) in one step: k = round(v × 10^4) written as k / 10^4. The same bytes:
   * below FIXED_MAX, `number` of k / 10^4 finds that k again (the product is within far less than ½ of it).
   */
  fixed4(v: number): void {
    this.fixed(v, 10_000, 4);
  }

  /** `number(round(v, 2))` in one step, as `fixed4`. */
  fixed2(v: number): void {
    this.fixed(v, 100, 2);
  }

  /** `number(round(v, scale))` in one step (`pow` is 10^scale). */
  private fixed(v: number, pow: number, scale: number): void {
    const k = Math.round(v * pow);
    if (k === 0) {
      this.byte(0x30);
      return;
    }
    const x = k / pow;
    if (x < FIXED_MAX && x > -FIXED_MAX) {
      this.ensure(24);
      this.signed(k, scale);
    } else this.number(x);
  }

  /** `n / 10^scale` with its sign. */
  private signed(n: number, scale: number): void {
    if (n < 0) {
      this.buf[this.pos++] = 0x2d;
      this.digits(-n, scale);
    } else this.digits(n, scale);
  }

  /** `n / 10^scale` (n a non-negative integer) in the shortest decimal: no trailing zeros, no bare point. */
  private digits(n: number, scale: number): void {
    if (n <= INT32_MAX) {
      this.smallDigits(n | 0, scale);
      return;
    }
    let fraction = scale;
    // Trailing zeros of the fraction dropped.
    while (fraction > 0 && n % 10 === 0) {
      n /= 10;
      fraction--;
    }
    const buf = this.buf;
    // Digits from the last: the fraction's, the point, then the integer part (at least one digit).
    let len = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) len++;
    if (fraction > 0) len = Math.max(len, fraction + 1) + 1;
    let p = this.pos + len;
    this.pos = p;
    for (let i = 0; i < fraction; i++) {
      const d = n % 10;
      buf[--p] = 0x30 + d;
      n = (n - d) / 10;
    }
    if (fraction > 0) buf[--p] = 0x2e;
    do {
      const d = n % 10;
      buf[--p] = 0x30 + d;
      n = (n - d) / 10;
    } while (n > 0);
  }

  /**
   * `digits` for an n that fits in 32 bits (nearly every rate's k): integer division by 10 and no length loop, where
   * the general path divides doubles (~2.5x the time of this one at 250,000 of the graph's numbers).
   */
  private smallDigits(n: number, scale: number): void {
    let fraction = scale;
    let m = n;
    while (fraction > 0) {
      const q = (m / 10) | 0;
      if (m !== q * 10) break;
      m = q;
      fraction--;
    }
    let len =
      m >= 100_000
        ? m >= 10_000_000
          ? m >= 1_000_000_000
            ? 10
            : m >= 100_000_000
              ? 9
              : 8
          : m >= 1_000_000
            ? 7
            : 6
        : m >= 100
          ? m >= 10_000
            ? 5
            : m >= 1_000
              ? 4
              : 3
          : m >= 10
            ? 2
            : 1;
    if (fraction > 0) len = (len > fraction ? len : fraction + 1) + 1;
    const buf = this.buf;
    let p = this.pos + len;
    this.pos = p;
    for (let i = 0; i < fraction; i++) {
      const q = (m / 10) | 0;
      buf[--p] = 0x30 + m - q * 10;
      m = q;
    }
    if (fraction > 0) buf[--p] = 0x2e;
    do {
      const q = (m / 10) | 0;
      buf[--p] = 0x30 + m - q * 10;
      m = q;
    } while (m > 0);
  }

  /** Any JSON value, as `JSON.stringify` writes it at this place (false when it writes nothing: undefined). */
  value(v: unknown): boolean {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return true;
      case 'number':
        this.number(v);
        return true;
      case 'boolean':
        this.raw(v ? 'true' : 'false');
        return true;
      case 'object':
        if (v === null) this.raw('null');
        else if (Array.isArray(v)) this.array(v);
        else this.object(v as Record<string, unknown>);
        return true;
      default:
        return this.other(v);
    }
  }

  /** An array: holes and values JSON leaves out are `null`. */
  array(a: readonly unknown[]): void {
    if ((a as { toJSON?: unknown }).toJSON !== undefined) {
      this.other(a);
      return;
    }
    const frozen = Object.isFrozen(a);
    const outer = this.thawed;
    this.thawed = !frozen;
    this.byte(0x5b);
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.byte(0x2c);
      if (!this.value(a[i])) this.raw('null');
    }
    this.byte(0x5d);
    this.thawed = outer || this.thawed;
  }

  /**
   * A plain object's own enumerable members in their order (`for…in`: a literal's or a null prototype adds none).
   * An own `toJSON` function found on the way: the object written again by JSON.stringify.
   */
  object(o: Record<string, unknown>): void {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      this.other(o);
      return;
    }
    const frozen = Object.isFrozen(o);
    const outer = this.thawed;
    this.thawed = !frozen;
    const start = this.pos;
    this.byte(0x7b);
    let first = true;
    for (const key in o) {
      const v = o[key];
      if (typeof v === 'number') {
        this.member(key, first);
        this.number(v);
      } else if (typeof v === 'string') {
        this.member(key, first);
        this.string(v);
      } else if (v === undefined || typeof v === 'symbol') {
        continue;
      } else if (typeof v === 'function') {
        if (key !== 'toJSON') continue;
        // Called by JSON.stringify with '' for its key: a toJSON that reads its key is not the graph's.
        this.pos = start;
        this.other(o);
        return;
      } else {
        this.member(key, first);
        this.value(v);
      }
      first = false;
    }
    this.byte(0x7d);
    this.thawed = outer || this.thawed;
  }

  /** `,"key":` (no comma first): the key's text kept once made, with and without its comma (no view a member). */
  member(key: string, first: boolean): void {
    let b = keyBytes.get(key);
    if (b === undefined) {
      if (keyBytes.size >= KEY_BYTES_MAX) keyBytes.clear();
      const comma = asciiBytes(`,${JSON.stringify(key)}:`);
      b = { comma, bare: comma.slice(1) };
      keyBytes.set(key, b);
    }
    this.bytes(first ? b.bare : b.comma);
  }

  /** What is not plain data (toJSON, a class, a bigint): as JSON.stringify writes it; never kept. */
  private other(v: unknown): boolean {
    this.thawed = true;
    const text = JSON.stringify(v);
    if (text === undefined) return false;
    this.text(text);
    return true;
  }
}

/** Keys' `,"key":` bytes kept (the graph has a few dozen); dropped past this many (any object's keys land here). */
const KEY_BYTES_MAX = 4_096;
const keyBytes = new Map<string, { comma: Uint8Array; bare: Uint8Array }>();

/** A text's UTF-8 (ASCII: one byte a code unit, made in the heap for short ones). */
export function asciiBytes(text: string): Uint8Array {
  const n = text.length;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return encoder.encode(text);
    b[i] = c;
  }
  return b;
}

const encoder = new TextEncoder();

/**
 * Whether `for…in` over a plain object gives exactly JSON's members here: nothing enumerable or `toJSON` on
 * `Object.prototype` (checked per answer; when not, the answer is `JSON.stringify`'s).
 */
export function plainObjectsIterable(): boolean {
  for (const _ in Object.prototype) return false;
  return (Object.prototype as { toJSON?: unknown }).toJSON === undefined;
}
