import { describe, expect, it } from 'vitest';
import { formatFloatG10, tagValueString } from './tag-value';

describe("tag values as Jaeger's search compares them", () => {
  it('writes each type as model.KeyValue.AsString does', () => {
    expect(tagValueString({ key: 'k', type: 'string', value: 'x' })).toBe('x');
    expect(tagValueString({ key: 'k', type: 'bool', value: true })).toBe('true');
    expect(tagValueString({ key: 'k', type: 'int64', value: 503 })).toBe('503');
    expect(tagValueString({ key: 'k', type: 'int64', value: '9223372036854775222' })).toBe(
      '9223372036854775222',
    );
    expect(tagValueString({ key: 'k', type: 'float64', value: 72.5 })).toBe('72.5');
    expect(tagValueString({ key: 'k', type: 'binary', value: 'AAAwOQ==' })).toBe('00003039');
  });

  it("formats floats like Go's strconv.FormatFloat(x, 'g', 10, 64)", () => {
    expect(formatFloatG10(0.25)).toBe('0.25');
    expect(formatFloatG10(1)).toBe('1');
    expect(formatFloatG10(1 / 3)).toBe('0.3333333333');
    expect(formatFloatG10(12345678901)).toBe('1.23456789e+10');
    expect(formatFloatG10(0.00001)).toBe('1e-05');
    expect(formatFloatG10(-2.5)).toBe('-2.5');
    expect(formatFloatG10(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });
});
