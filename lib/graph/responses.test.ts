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
