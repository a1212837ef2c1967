// Byte runs the OTLP readers have seen before (a repeated attribute, a member's name), kept with their
// little-endian 32-bit words so that finding them again in a body compares four bytes at a time.

export interface KnownBytes {
  bytes: Buffer;
  /** The bytes as little-endian 32-bit words (the whole words of them). */
  words: Int32Array;
}

/** A copy of `buf[start, end)` with its words. */
export function knownBytes(buf: Uint8Array, start: number, end: number): KnownBytes {
  const bytes = Buffer.from(buf.subarray(start, end));
  const words = new Int32Array(bytes.length >> 2);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < words.length; i++) words[i] = v.getInt32(4 * i, true);
  return { bytes, words };
}

/** Whether `buf` (seen through `view`, `end` bytes long) holds `known`'s bytes at `start`. */
export function knownAt(
  known: KnownBytes,
  buf: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): boolean {
  const bytes = known.bytes;
  const n = bytes.length;
  if (end - start < n) return false;
  const words = known.words;
  for (let i = 0; i < words.length; i++) if (view.getInt32(start + 4 * i, true) !== words[i]) return false;
  for (let i = words.length * 4; i < n; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}
