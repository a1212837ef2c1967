import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeKeyed, responsesOf } from './responses';
import { Tally } from './tally';

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
    const codes = Tally.of([
      ['503', { flags: Tally.of([['UH', 1]]), hosts: Tally.of([['a', 1]]) }],
      ['200', { flags: Tally.of([['-', 3]]), hosts: Tally.of([['a', 3]]) }],
    ]);
    expect(JSON.stringify(responsesOf(codes, 4))).toBe(
      '{"200":{"flags":{"-":75},"hosts":{"a":75}},"503":{"flags":{"UH":25},"hosts":{"a":25}}}',
    );
    expect(responsesOf(codes, 0)['200']?.flags).toEqual({ '-': 0 });
  });

  it('gives an element with one code, flag and host the same map as any other, shared and frozen', () => {
    const one = () => Tally.of([['200', { flags: Tally.of([['-', 0.3]]), hosts: Tally.of([['h', 0.3]]) }]]);
    const a = responsesOf(one(), 0.3);
    expect(JSON.stringify(a)).toBe('{"200":{"flags":{"-":100},"hosts":{"h":100}}}');
    expect(responsesOf(one(), 0.3)).toBe(a);
    expect(Object.isFrozen(a['200']?.flags)).toBe(true);
    // Not every request of the element had that code (its total is larger): its own shares.
    expect(JSON.stringify(responsesOf(one(), 0.6))).toBe('{"200":{"flags":{"-":50},"hosts":{"h":50}}}');
  });

  describe('under MESHLENS_GRAPH_SERIES_MEMO', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });
    const one = (code: string) =>
      Tally.of([[code, { flags: Tally.of([['-', 1]]), hosts: Tally.of([['h', 1]]) }]]);

    it('keeps none at 0: each element its own map, right, and no build fails', () => {
      vi.stubEnv('MESHLENS_GRAPH_SERIES_MEMO', '0');
      const a = responsesOf(one('201'), 1);
      expect(JSON.stringify(a)).toBe('{"201":{"flags":{"-":100},"hosts":{"h":100}}}');
      expect(responsesOf(one('201'), 1)).not.toBe(a);
      expect(responsesOf(one('201'), 1)).toEqual(a);
    });

    it('starts over past the bound, still answering each map right', () => {
      vi.stubEnv('MESHLENS_GRAPH_SERIES_MEMO', '1');
      for (const code of ['202', '203', '204', '202'])
        expect(JSON.stringify(responsesOf(one(code), 1))).toBe(
          `{"${code}":{"flags":{"-":100},"hosts":{"h":100}}}`,
        );
      const kept = responsesOf(one('202'), 1);
      expect(responsesOf(one('202'), 1)).toBe(kept);
    });
  });
});
