import { describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes';
import { round } from './rounding';
import { prng } from './test-samples';

/** What `JsonBytes.value` writes for `v`, as text. */
function written(v: unknown): string {
  const w = new JsonBytes();
  if (!w.value(v)) return 'undefined';
  return Buffer.from(w.take()).toString('utf8');
}

describe('JSON written straight into bytes', () => {
  it('writes every number as JSON.stringify does: rates rounded to 4 places, and any other', () => {
    const random = prng(18);
    const special = [
      0,
      -0,
      1,
      -1,
      0.1,
      0.5,
      1e-4,
      1e-5,
      1e-7,
      123.4567,
      2 ** 31,
      -(2 ** 31),
      // Either side of 32 bits, where `digits` changes path: k = 2^31 - 1, 2^31, 2^31 + 1.
      2 ** 31 - 1,
      -(2 ** 31 - 1),
      214748.3647,
      214748.3648,
      214748.3649,
      -214748.3647,
      -214748.3648,
      99999.9999,
      100000.0001,
      0.0001,
      10.5,
      1000,
      2 ** 53,
      1e11,
      1e21,
    ];
    const values = [...special, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 16 - 4);
      const v = (random() - 0.3) * magnitude;
      const places = Math.floor(random() * 7);
      values.push(v, Math.round(v * 10 ** places) / 10 ** places, Math.round(v));
    }
    // All in one array (one writer), then any wrong one named.
    if (written(values) !== JSON.stringify(values)) {
      expect(values.filter((v) => written(v) !== JSON.stringify(v))).toEqual([]);
    }
    expect(written(values)).toBe(JSON.stringify(values));
  });

  it('writes a number rounded and written in one step (fixed4, fixed2) as the rounded number is written', () => {
    const random = prng(19);
    const values = [
      0,
      -0,
      1e-5,
      -1e-5,
      0.00005,
      -0.00005,
      0.005,
      -0.005,
      214748.3647,
      214748.36475,
      -214748.36485,
      21474836.475,
      2 ** 31,
      1e11 - 0.00004,
      1e11,
      -1e11,
      1e15,
      2 ** 53,
      1e21,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 18 - 6);
      values.push((random() - 0.3) * magnitude);
    }
    for (const [scale, write] of [
      [4, (w: JsonBytes, v: number) => w.fixed4(v)],
      [2, (w: JsonBytes, v: number) => w.fixed2(v)],
    ] as const) {
      // All in one array (one writer), then any wrong one named.
      const w = new JsonBytes();
      w.byte(0x5b);
      for (let i = 0; i < values.length; i++) {
        if (i > 0) w.byte(0x2c);
        write(w, values[i] as number);
      }
      w.byte(0x5d);
      const text = Buffer.from(w.take()).toString('utf8');
      const rounded = values.map((v) => round(v, scale));
      if (text !== JSON.stringify(rounded)) {
        const got = text.slice(1, -1).split(',');
        expect(values.filter((_, i) => got[i] !== JSON.stringify(rounded[i]))).toEqual([]);
      }
      expect(text).toBe(JSON.stringify(rounded));
    }
  });

  it('writes strings as JSON.stringify does: escapes, names beyond ASCII, lone surrogates', () => {
    for (const s of [
      '',
      'plain',
      'quote " and \\ back',
      'new\nline\ttab\u0001',
      'ré',
      '名前',
      'a😀b',
      '\ud800x',
      '\u007f',
    ]) {
      expect(written(s)).toBe(JSON.stringify(s));
      expect(written({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }
  });

  it('writes objects and arrays as JSON.stringify does: key order, left-out members, toJSON, classes', () => {
    class Point {
      x = 1;
      y = undefined;
    }
    const nullProto = Object.assign(Object.create(null), { b: 1, a: 2 });
    // Holes at 1 and 2.
    const holed: number[] = [0];
    holed[3] = 3;
    const values = [
      { b: 1, a: 2, 10: 'ten', 2: 'two', skip: undefined, f: () => 1, s: Symbol('s') },
      [1, undefined, () => 1, Symbol('s'), null, holed, 3],
      { date: new Date(0), nested: { deep: [{ x: [] }, {}] } },
      new Point(),
      nullProto,
      { toJSON: () => ({ replaced: true }) },
      { inner: { toJSON: () => 'inner' } },
      Object.assign([1, 2], { toJSON: () => 'array' }),
      true,
      false,
      null,
      new Map([[1, 2]]),
    ];
    for (const v of values) expect(written(v)).toBe(JSON.stringify(v));
    expect(written(undefined)).toBe('undefined');
  });

  it('tells whether a value and everything in it is frozen (what its caller may keep the JSON of)', () => {
    const latency = Object.freeze({ p50: 45, p95: 375.5 });
    const thawed = { count: 1 };
    const frozenOf = (v: unknown) => {
      const w = new JsonBytes();
      const frozen = w.frozenValue(v);
      return { frozen, text: Buffer.from(w.take()).toString('utf8') };
    };
    expect(frozenOf(latency)).toEqual({ frozen: true, text: JSON.stringify(latency) });
    expect(frozenOf(Object.freeze([latency, Object.freeze({ a: [] as number[] })])).frozen).toBe(false);
    expect(frozenOf(Object.freeze([latency, Object.freeze({ a: Object.freeze([1]) })])).frozen).toBe(true);
    expect(frozenOf(Object.freeze({ latency, thawed }))).toEqual({
      frozen: false,
      text: '{"latency":{"p50":45,"p95":375.5},"thawed":{"count":1}}',
    });
    expect(frozenOf('a string').frozen).toBe(true);
    expect(frozenOf(Object.freeze({ when: new Date(0) })).frozen).toBe(false);
  });

  it('grows its buffer for a value larger than a piece, and hands the bytes on in pieces', () => {
    const big = { names: Array.from({ length: 50_000 }, (_, i) => `name-${i}`) };
    expect(written(big)).toBe(JSON.stringify(big));
    const w = new JsonBytes();
    w.value([1, 2]);
    const first = w.take();
    w.value('x');
    expect(Buffer.from(first).toString()).toBe('[1,2]');
    expect(Buffer.from(w.take()).toString()).toBe('"x"');
  });
});
