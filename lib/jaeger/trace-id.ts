// Trace and span ids as Jaeger writes and reads them: lowercase hex, a 128-bit trace id whose high half is
// zero printed as 16 digits (Jaeger's TraceID.String), and up to 32 hex digits accepted when parsing.

const HEX = /^[0-9a-fA-F]+$/;
const ZERO_HIGH = '0000000000000000';

/** Jaeger's text of a 32-digit hex trace id: the low 16 digits alone when the high 64 bits are zero. */
export function canonicalTraceId(hex32: string): string {
  const lower = hex32.toLowerCase();
  return lower.startsWith(ZERO_HIGH) ? lower.slice(16) : lower;
}

export type TraceIdParse = { ok: true; id: string } | { ok: false; error: string };

/**
 * Parses a trace id the way Jaeger's TraceIDFromString does (1 to 32 hex digits, leading zeros optional)
 * and answers its canonical text, or Jaeger's error message.
 */
export function parseTraceId(text: string): TraceIdParse {
  if (text.length > 32) {
    return { ok: false, error: `TraceID cannot be longer than 32 hex characters: ${text}` };
  }
  const hiLen = Math.max(0, text.length - 16);
  const parts = hiLen > 0 ? [text.slice(0, hiLen), text.slice(hiLen)] : [text];
  for (const part of parts) {
    if (!HEX.test(part)) return { ok: false, error: `strconv.ParseUint: parsing "${part}": invalid syntax` };
  }
  return { ok: true, id: canonicalTraceId(text.padStart(32, '0')) };
}

/** The 32-digit form of a canonical (16- or 32-digit) trace id, as OTLP carries it. */
export function fullTraceId(id: string): string {
  return id.padStart(32, '0');
}
