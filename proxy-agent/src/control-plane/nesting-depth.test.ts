import { describe, expect, it } from 'vitest';
import { jsonTextDepth, valueDepth } from './nesting-depth';

describe('nesting depth', () => {
  it('counts brackets of JSON text outside strings', () => {
    expect(jsonTextDepth('{"a": [1, {"b": 2}]}')).toBe(3);
    expect(jsonTextDepth('{"a": "[[[[\\"{{{"}')).toBe(1);
    expect(jsonTextDepth('1')).toBe(0);
  });

  it('stops counting early past the bound, even for a million brackets', () => {
    expect(jsonTextDepth('['.repeat(1_000_000), 64)).toBe(65);
  });

  it('measures a parsed value without recursion', () => {
    expect(valueDepth({ a: [1, { b: 2 }] })).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(valueDepth(deep, 64)).toBe(65);
    expect(valueDepth(deep)).toBe(200_000);
  });
});
