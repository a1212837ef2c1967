// Span and trace ids as backends really send them: lowercase hex of 16 or 32 digits is the norm; shorter hex
// is padded (as Jaeger pads), numbers are read as their decimal text's hex, anything else kept as sent.

import type { Warn } from './lenient-key-value';
import { canonicalTraceId } from './trace-id';

const HEX = /^[0-9a-f]+$/;

/** The id's text, or undefined when there is none (missing, null, empty). Warns what was changed. */
export function lenientId(raw: unknown, what: 'span id' | 'trace id', warn: Warn): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let text: string;
  if (typeof raw === 'string') text = raw.trim();
  else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) {
    text = raw.toString(16);
    warn(`${what} sent as the number ${raw}; read as hex ${text}`);
  } else {
    text = typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    warn(`${what} is not text (${typeof raw}); kept as "${text}"`);
    return text;
  }
  const lower = text.toLowerCase();
  if (!HEX.test(lower)) {
    warn(`${what} "${text}" is not hex; kept as sent`);
    return text;
  }
  if (what === 'trace id') {
    if (lower.length === 16 || lower.length === 32) return canonicalTraceId(lower.padStart(32, '0'));
    if (lower.length < 32) {
      warn(`trace id "${text}" has ${lower.length} hex digits, not 16 or 32; padded`);
      return canonicalTraceId(lower.padStart(32, '0'));
    }
  } else {
    if (lower.length === 16) return lower;
    if (lower.length < 16) {
      warn(`span id "${text}" has ${lower.length} hex digits, not 16; padded`);
      return lower.padStart(16, '0');
    }
  }
  warn(`${what} "${text}" has ${lower.length} hex digits, more than ${what === 'span id' ? 16 : 32}; kept`);
  return lower;
}
