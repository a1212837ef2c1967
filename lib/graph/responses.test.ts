import { describe, expect, it } from 'vitest';
import { codeKeyed, responsesOf } from './responses';

describe('codeKeyed', () => {
  it('is a plain object to everything that reads it: keys, numeric order, JSON, assignment', () => {
    const o = codeKeyed<number>();
    const plain: Record<string, number> = {};
    for (const [k, v] of [
      ['503', 1],
      ['200', 2],
      ['0', 3],
      ['-', 4],
    ] as const) {
      o[k] = v;
      plain[k] = v;
    }
    o['200'] = 5;
    plain['200'] = 5;
    expect(Object.keys(o)).toEqual(['0', '200', '503', '-']);
    expect(JSON.stringify(o)).toBe(JSON.stringify(plain));
    expect(o).toEqual(plain);
    expect(Object.keys(codeKeyed())).toEqual([]);
  });
});

describe('responsesOf', () => {
  it('gives each code its flags and hosts as % of the total, codes in order', () => {
    const codes = new Map([
      ['503', { flags: new Map([['UH', 1]]), hosts: new Map([['a', 1]]) }],
      ['200', { flags: new Map([['-', 3]]), hosts: new Map([['a', 3]]) }],
    ]);
    expect(JSON.stringify(responsesOf(codes, 4))).toBe(
      '{"200":{"flags":{"-":75},"hosts":{"a":75}},"503":{"flags":{"UH":25},"hosts":{"a":25}}}',
    );
    expect(responsesOf(codes, 0)['200']?.flags).toEqual({ '-': 0 });
  });
});
