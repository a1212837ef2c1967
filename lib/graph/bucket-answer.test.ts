import { describe, expect, it } from 'vitest';
import { samplesOfAnswer } from '../prometheus/client';
import { prng } from '../random/prng.mjs';
import {
  decimalOf,
  GATHERED_SAMPLES_KEPT,
  gatherBucketsOfBody,
  groupBucketsOfBody,
  groupLabelledBucketsOfBody,
  LONG,
} from './bucket-answer';
import { prometheusBody } from './fake-prometheus';
import { bucketsOf, groupBuckets } from './latency-cache';
import type { Sample } from './series';

const T = 1_700_000_000;

/** What the generic parse makes of a body: its samples grouped. */
function parsed(body: Buffer) {
  const samples = samplesOfAnswer(JSON.parse(body.toString('utf8')));
  return { groups: groupBuckets(samples), samples: samples.length };
}

const sample = (edge: string, le: string, value: number): Sample => ({ labels: { edge, le }, value });

describe('below-total answer read from its bytes', () => {
  it('groups as the parsed answer does: first-seen order, interleaved edges, left-out NaN and Inf', () => {
    const samples = [
      sample('source;ns-1;a;b.ns-2.svc.cluster.local;ns-2;b;ns-2', '+Inf', 3.5),
      sample('source;ns-1;a;b.ns-2.svc.cluster.local;ns-2;b;ns-2', '10', 0.1),
      sample('source;ns-1;a;c.ns-2.svc.cluster.local;ns-2;c;ns-2', '0.5', Number.NaN),
      sample('source;ns-1;a;c.ns-2.svc.cluster.local;ns-2;c;ns-2', '+Inf', 1 / 3),
      sample('source;ns-1;a;b.ns-2.svc.cluster.local;ns-2;b;ns-2', '2500', 0.30000000000000004),
      sample('source;ns-1;a;d;;;', '1e+06', 12345.678901234567),
      sample('source;ns-1;a;d;;;', 'oops', 1),
      sample('source;ns-1;a;d;;;', '+Inf', Number.POSITIVE_INFINITY),
      sample('source;ns-1;a;d;;;', '0.005', 1e-7),
      sample('source;ns-1;a;d;;;', '300000', 9007199254740994),
      sample('source;ns-1;a;e;;;', '5', Number.NaN),
    ];
    const body = prometheusBody(samples, T);
    const fast = groupBucketsOfBody(body, 'edge');
    expect(fast).toEqual(parsed(body));
    expect(fast?.groups.map((g) => g.labels.edge)).toEqual([
      'source;ns-1;a;b.ns-2.svc.cluster.local;ns-2;b;ns-2',
      'source;ns-1;a;c.ns-2.svc.cluster.local;ns-2;c;ns-2',
      'source;ns-1;a;d;;;',
    ]);
    expect(fast?.samples).toBe(samples.length);
  });

  it('reads every decimal Prometheus writes as Number does', () => {
    const values = [
      0, 1, 0.1, 0.5, 2.5, 1234.5678, 0.0001, 1e-22, 1.7976931348623157e308, 123456789012345.67,
    ];
    for (let i = 0; i < 2000; i++) values.push(Math.random() * 10 ** (Math.floor(Math.random() * 12) - 6));
    const samples = values.map((v, i) => sample(`e${i % 7}`, String(i % 11), v));
    // Also the decimal form Go writes (`'f'`, no exponent) of small and large values.
    const body = Buffer.from(
      prometheusBody(samples, T)
        .toString('latin1')
        .replace(/"1e-22"/, '"0.0000000000000000000001"')
        .replace(/"0.0001"/, '"0.00010"'),
    );
    const fast = groupBucketsOfBody(body, 'edge');
    expect(fast).toEqual(parsed(body));
    expect(fast?.groups.flatMap((g) => bucketsOf(g)).some(([, v]) => v === 1e-22)).toBe(true);
  });

  it("tells a key from one that starts with the one before, and reads values past the fast path's 2^53", () => {
    const samples = [
      sample('a;b', '1', 1),
      sample('a;b', '+Inf', 2),
      sample('a;bc', '1', 0.16666666666666666),
      sample('a;bc', '+Inf', 12345678901234567000),
      sample('a;b', '5', 1.5),
      sample('a;b;', '+Inf', 0.1 + 0.2),
      sample('a;', '+Inf', 3),
    ];
    const body = prometheusBody(samples, T);
    expect(groupBucketsOfBody(body, 'edge')).toEqual(parsed(body));
    const text = body.toString('latin1');
    for (const time of ['1.', '-', '1e', '.5'])
      expect(groupBucketsOfBody(Buffer.from(text.replace(`[${T},`, `[${time},`)), 'edge')).toBeUndefined();
    // A long value with a control character in it: what JSON.parse refuses.
    const control = text.replace('"0.16666666666666666"', '"0.16666666666666666\u0001"');
    expect(control).not.toBe(text);
    expect(groupBucketsOfBody(Buffer.from(control), 'edge')).toBeUndefined();
  });

  it('an empty answer is no group and no sample', () => {
    expect(groupBucketsOfBody(prometheusBody([], T), 'edge')).toEqual({ groups: [], samples: 0 });
  });

  it('leaves any other shape to the generic parse', () => {
    const one = [sample('a;b', '+Inf', 1)];
    const text = prometheusBody(one, T).toString('latin1');
    const unread = [
      // escapes, non-ASCII, other labels, another label order, warnings, an error, a matrix, whitespace
      prometheusBody([sample('a\\"b', '+Inf', 1)], T),
      prometheusBody([sample('ä;b', '+Inf', 1)], T),
      prometheusBody([{ labels: { __name__: 'x', edge: 'a', le: '1' }, value: 1 }], T),
      prometheusBody([{ labels: { edge: 'a' }, value: 1 }], T),
      Buffer.from(text.replace('"edge":"a;b","le":"+Inf"', '"le":"+Inf","edge":"a;b"')),
      Buffer.from(text.replace(/}$/, ',"warnings":["w"]}')),
      Buffer.from('{"status":"error","errorType":"bad_data","error":"parse error"}'),
      Buffer.from(text.replace('"vector"', '"matrix"')),
      Buffer.from(text.replace('"value":[', '"value": [')),
      Buffer.from(text.slice(0, -3)),
      // what JSON.parse refuses: a raw control character in a string, a timestamp that is not a number
      Buffer.from(text.replace('a;b', 'a;\u0001b')),
      Buffer.from(text.replace(`[${T},`, `[${T}x,`)),
      Buffer.from(text.replace(`[${T},`, '[01,')),
      Buffer.from(text.replace('"+Inf"}', '"+Inf\t"}')),
      Buffer.from(`${text}x`),
    ];
    for (const body of unread) expect(groupBucketsOfBody(body, 'edge')).toBeUndefined();
    expect(groupBucketsOfBody(Buffer.from(`${text}\n`), 'edge')).toEqual(parsed(prometheusBody(one, T)));
    for (const time of ['-1.5e+3', '0', '1700000000.123', '17E2'])
      expect(groupBucketsOfBody(Buffer.from(text.replace(`[${T},`, `[${time},`)), 'edge')).toEqual(
        parsed(prometheusBody(one, T)),
      );
  });
});

const edge = (from: string, to: string, le: string, value: number, reporter = 'source'): Sample => ({
  labels: {
    reporter,
    source_workload_namespace: 'ns-1',
    source_workload: from,
    destination_service: `${to}.ns-2.svc.cluster.local`,
    destination_workload_namespace: 'ns-2',
    destination_workload: to,
    le,
  },
  value,
});

describe('bucket answer of many labels read from its bytes', () => {
  it('groups as the parsed answer does: first-seen order, interleaved edges, left-out NaN and Inf', () => {
    const samples = [
      edge('a', 'b', '+Inf', 3.5),
      edge('c', 'b', '+Inf', 2),
      edge('a', 'b', '10', 0.1),
      edge('a', 'c', '0.5', Number.NaN),
      edge('c', 'b', '10', 1 / 3),
      edge('a', 'c', '+Inf', 1 / 3),
      edge('a', 'b', '2500', 0.30000000000000004, 'destination'),
      edge('a', 'd', '1e+06', 12345.678901234567),
      edge('a', 'd', 'oops', 1),
      edge('a', 'd', '+Inf', Number.POSITIVE_INFINITY),
      edge('a', 'd', '0.005', 1e-7),
      edge('a', 'd', '300000', 9007199254740994),
      edge('a', 'e', '5', Number.NaN),
      edge('ab', 'b', '5', 4),
      edge('a', 'bb', '5', 5),
    ];
    const body = prometheusBody(samples, T);
    const fast = groupLabelledBucketsOfBody(body);
    expect(fast).toEqual(parsed(body));
    expect(fast?.groups.map((g) => Object.keys(g.labels))).toEqual(
      parsed(body).groups.map((g) => Object.keys(g.labels)),
    );
    expect(fast?.groups).toHaveLength(7);
    expect(fast?.samples).toBe(samples.length);
  });

  it('groups hash collisions apart by their bytes', () => {
    // Many groups, so that some share a 32-bit hash bucket of the map only by chance: each still its own.
    const samples: Sample[] = [];
    for (let i = 0; i < 3000; i++)
      for (const le of ['1', '+Inf']) samples.push(edge(`w${i}`, `w${i % 7}`, le, i));
    const body = prometheusBody(samples, T);
    expect(groupLabelledBucketsOfBody(body)).toEqual(parsed(body));
  });

  it('an empty answer is no group and no sample', () => {
    expect(groupLabelledBucketsOfBody(prometheusBody([], T))).toEqual({ groups: [], samples: 0 });
  });

  it('leaves any other shape to the generic parse', () => {
    const one = [edge('a', 'b', '+Inf', 1)];
    const text = prometheusBody(one, T).toString('latin1');
    const unread = [
      prometheusBody([edge('a\\"b', 'b', '+Inf', 1)], T),
      prometheusBody([edge('ä', 'b', '+Inf', 1)], T),
      // no `le`; `le` twice; labels out of Prometheus' order; no labels; `__proto__`
      prometheusBody([{ labels: { a: 'x' }, value: 1 }], T),
      Buffer.from(text.replace('"reporter"', '"le":"1","reporter"')),
      Buffer.from(text.replace('"destination_service":', '"zz":"1","destination_service":')),
      Buffer.from(text.replace(/"metric":\{[^}]*\}/, '"metric":{}')),
      Buffer.from(text.replace('"destination_service":', '"__proto__":"x","destination_service":')),
      Buffer.from(text.replace(/}$/, ',"warnings":["w"]}')),
      Buffer.from('{"status":"error","errorType":"bad_data","error":"parse error"}'),
      Buffer.from(text.replace('"vector"', '"matrix"')),
      Buffer.from(text.replace('"value":[', '"value": [')),
      Buffer.from(text.slice(0, -3)),
      Buffer.from(text.replace('"ns-1"', '"ns-\u00011"')),
      Buffer.from(`${text}x`),
    ];
    for (const body of unread) expect(groupLabelledBucketsOfBody(body)).toBeUndefined();
    expect(groupLabelledBucketsOfBody(Buffer.from(`${text}\n`))).toEqual(parsed(prometheusBody(one, T)));
  });
});

describe('a long decimal read without a string', () => {
  const read = (text: string) => decimalOf(Buffer.from(text), 0, text.length);

  /** Shortest decimals of doubles in the answers' range, written as Prometheus writes them (no exponent). */
  function decimals(count: number): string[] {
    const rng = prng(18);
    const out: string[] = [];
    while (out.length < count) {
      const x = 10 ** (rng() * 12 - 5) * (1 + rng());
      const text = x.toFixed(20).replace(/0+$/, '');
      // The shortest round-trip digits, placed at the point toFixed gives.
      const shortest = String(x);
      if (shortest.includes('e')) continue;
      out.push(shortest);
      if (text !== shortest) out.push(text.slice(0, Math.min(text.length, 21)));
    }
    return out;
  }

  it('is the double Number reads, for every decimal it reads', () => {
    let read17 = 0;
    let long17 = 0;
    for (const text of decimals(20_000)) {
      const v = read(text);
      const digits = text.replace('.', '').replace(/^0+/, '').length;
      if (v === LONG) {
        if (digits <= 17) long17++;
      } else {
        expect(Object.is(v, Number(text)), text).toBe(true);
        if (digits >= 16) read17++;
      }
    }
    // The fast path reads nearly every shortest decimal of 16-17 digits (a tie or a power of two is left to Number).
    expect(read17).toBeGreaterThan(10_000);
    expect(long17).toBeLessThan(read17 / 100);
  });

  it('leaves to Number what it cannot prove: ties, too many digits, powers of two', () => {
    // 2^53 + 1 is halfway between two doubles.
    expect(read('9007199254740993')).toBe(LONG);
    expect(read('9007199254740993.0')).toBe(LONG);
    expect(read('12345678901234567890123')).toBe(LONG);
    expect(read('0.00000000000000000000012345678901234567')).toBe(LONG);
    // Around a power of two: exact, or left.
    for (const text of [
      '9007199254740992',
      '9007199254740992.5',
      '18014398509481984.1',
      '0.50000000000000001',
    ])
      expect([Number(text), LONG]).toContain(read(text));
    for (const text of [
      '12345678.901234567',
      '0.012345678901234567',
      '99999999999999999',
      '1.0000000000000002',
    ])
      expect(read(text)).toBe(Number(text));
  });
});

describe('the gathered samples kept between answers', () => {
  // As `prometheusBody` writes it, without an object a sample (half a million of them).
  const body = (n: number) => {
    const result: string[] = new Array(n);
    for (let k = 0; k < n; k++)
      result[k] = `{"metric":{"edge":"e${k % 1000}","le":"${k}"},"value":[${T},"1"]}`;
    return Buffer.from(`{"status":"success","data":{"resultType":"vector","result":[${result.join(',')}]}}`);
  };

  it("reuses an answer's arrays for the next, but not an answer's past the bound (or a refused one's)", () => {
    expect(body(3)).toEqual(
      prometheusBody([sample('e0', '0', 1), sample('e1', '1', 1), sample('e2', '2', 1)], T),
    );
    const small = () => gatherBucketsOfBody(body(10), 'edge')?.group;
    const first = small();
    expect(first).toBeDefined();
    expect(small()).toBe(first);
    // Grown past the bound: that answer's own, read in full; the next answer starts small again.
    const whole = body(GATHERED_SAMPLES_KEPT + 1);
    const big = gatherBucketsOfBody(whole, 'edge');
    expect(big?.count).toBe(GATHERED_SAMPLES_KEPT + 1);
    expect(big?.group.length).toBeGreaterThan(GATHERED_SAMPLES_KEPT);
    expect(big?.pairs[2 * GATHERED_SAMPLES_KEPT]).toBe(GATHERED_SAMPLES_KEPT);
    expect(small()?.length).toBeLessThanOrEqual(GATHERED_SAMPLES_KEPT);
    // A refused answer (its end cut off) after growing them: not kept either.
    expect(gatherBucketsOfBody(whole.subarray(0, whole.length - 3), 'edge')).toBeUndefined();
    expect(small()?.length).toBeLessThanOrEqual(GATHERED_SAMPLES_KEPT);
  });
});
