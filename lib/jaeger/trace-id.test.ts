import { describe, expect, it } from 'vitest';
import { canonicalTraceId, fullTraceId, parseTraceId } from './trace-id';

describe('trace ids as Jaeger writes and reads them', () => {
  it('prints a 128-bit id whose high half is zero as 16 digits', () => {
    expect(canonicalTraceId('0000000000000000ABCDEF0123456789')).toBe('abcdef0123456789');
    expect(canonicalTraceId('83a9efd15c1c98a977e0711cc93ee28b')).toBe('83a9efd15c1c98a977e0711cc93ee28b');
    expect(fullTraceId('abcdef0123456789')).toBe('0000000000000000abcdef0123456789');
  });

  it('parses 1 to 32 hex digits, leading zeros optional, with Jaeger messages otherwise', () => {
    expect(parseTraceId('1')).toEqual({ ok: true, id: '0000000000000001' });
    expect(parseTraceId('00000000000000000000000000000abc')).toEqual({ ok: true, id: '0000000000000abc' });
    expect(parseTraceId('1234567890abcdef1')).toEqual({ ok: true, id: '0000000000000001234567890abcdef1' });
    expect(parseTraceId('x'.repeat(33))).toEqual({
      ok: false,
      error: `TraceID cannot be longer than 32 hex characters: ${'x'.repeat(33)}`,
    });
    expect(parseTraceId('xyz')).toEqual({
      ok: false,
      error: 'strconv.ParseUint: parsing "xyz": invalid syntax',
    });
    expect(parseTraceId('').ok).toBe(false);
  });
});
