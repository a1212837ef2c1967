import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { samplesOfAnswer } from '../prometheus/client';
import { prometheusBody } from './fake-prometheus';
import { JOIN_SEPARATOR, REQUEST_JOINED, REQUEST_LABELS, splitJoinedRequests } from './promql';
import {
  beginJoinedRead,
  finishJoinedRead,
  forgetKeptRatesAnswer,
  requestSamplesOfAnswers,
  requestSamplesOfBody,
} from './rates-answer';
import { destinationOnlyCallers, namespacesOf, type Sample } from './series';
import { requestSample, type Side } from './test-samples';

const T = 1_700_000_000;
const FIXTURES = new URL('../../fixtures/istio/', import.meta.url);

const joinedOf = (labels: Record<string, string>) =>
  REQUEST_LABELS.map((k) => labels[k] ?? '').join(JOIN_SEPARATOR);
const joined = (s: Sample): Sample => ({ labels: { [REQUEST_JOINED]: joinedOf(s.labels) }, value: s.value });

/** What the graph made of a body before: parsed, then split. */
function parsed(body: Buffer): Sample[] | undefined {
  return splitJoinedRequests(samplesOfAnswer(JSON.parse(body.toString('utf8'))));
}

/** Reads the body from its bytes and checks it against the parse: the same samples, the same callers. */
function readAsParsed(body: Buffer): Sample[] {
  const read = requestSamplesOfBody(body);
  const expected = parsed(body);
  if (!read?.samples || !expected) throw new Error('read from its bytes, split');
  expect(read.samples).toEqual(expected);
  // The same kept labels objects (what the series memo and the walk's WeakMaps key by).
  expect(read.samples.every((s, i) => s.labels === expected[i]?.labels)).toBe(true);
  expect(read.callers()).toEqual(destinationOnlyCallers(expected));
  expect(read.namespaces()).toEqual(namespacesOf(expected));
  return read.samples;
}

/** Istio's `istio_requests_total` series of a recorded scrape (`fixtures/istio`), with their values. */
function scrapedRequests(file: string): Sample[] {
  const text = readFileSync(new URL(file, FIXTURES), 'utf8');
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^istio_requests_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[1] as string).matchAll(/(\w+)="([^"]*)"/g)) labels[k as string] = v as string;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

const sides: Side[] = Array.from({ length: 40 }, (_, i) => ({
  ns: `ns-${i % 5}`,
  wl: `wl-${i}`,
  app: `app-${i}`,
  version: i % 3 ? 'v1' : undefined,
}));

/** A mesh of request series (every reporter, codes, callers from outside), rates from `seed`. */
function generated(seed: number): Sample[] {
  const out: Sample[] = [];
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  for (let i = 0; i < sides.length; i++) {
    const from = i % 7 === 0 ? undefined : sides[i];
    const to = sides[(i * 7 + 3) % sides.length] as Side;
    const service = `${to.app}.${to.ns}.svc.cluster.local`;
    for (const reporter of ['source', 'destination'] as const) {
      if (reporter === 'source' && (from === undefined || i % 5 === 1)) continue;
      for (const code of ['200', '503']) {
        const rps = [0, 1, 0.5, 1 / 3, rnd() * 1000, rnd() * 1e-6, 123456789.125][
          Math.floor(rnd() * 7)
        ] as number;
        out.push(requestSample({ reporter, from, to, service, code, rps, principals: i % 2 === 0 }));
      }
    }
  }
  return out.map(joined);
}

describe('request rates read from their bytes', () => {
  it('splits a generated mesh as the parse does, and again when polled with other rates', () => {
    forgetKeptRatesAnswer();
    const first = readAsParsed(prometheusBody(generated(1), T));
    expect(first.length).toBeGreaterThan(100);
    // Polled: the same series, new rates (the labels taken from the answer before, by place).
    const again = readAsParsed(prometheusBody(generated(2), T + 15));
    expect(again.every((s, i) => s.labels === first[i]?.labels)).toBe(true);
  });

  it('finds each series wherever it went: series gone, added, moved, and another answer in between', () => {
    forgetKeptRatesAnswer();
    const base = generated(3);
    readAsParsed(prometheusBody(base, T));
    const changed = [
      ...base.slice(0, 10),
      ...base.slice(12, 40),
      joined(requestSample({ reporter: 'source', from: sides[1], to: sides[2], service: 'new.svc', rps: 9 })),
      ...base.slice(40).reverse(),
    ];
    readAsParsed(prometheusBody(changed, T));
    // The same series but one, in place: namespaces not taken from the answer before.
    const otherNamespace = joined(
      requestSample({
        reporter: 'source',
        from: { ns: 'elsewhere', wl: 'x' },
        to: sides[2],
        service: 'new.svc',
        rps: 9,
      }),
    );
    expect(readAsParsed(prometheusBody([...base.slice(0, -1), otherNamespace], T)).length).toBe(base.length);
    readAsParsed(prometheusBody(base, T));
    // Two series of keys as long, swapped (200 and 503 of one edge): each compared byte for byte, not by length.
    expect(base[0]?.labels[REQUEST_JOINED]?.length).toBe(base[1]?.labels[REQUEST_JOINED]?.length);
    readAsParsed(prometheusBody([base[1] as Sample, base[0] as Sample, ...base.slice(2)], T));
    readAsParsed(prometheusBody(base.slice(0, 5), T));
    readAsParsed(prometheusBody(base, T));
    readAsParsed(prometheusBody([], T));
    readAsParsed(prometheusBody(base, T));
  });

  it('splits the series of recorded Istio scrapes as the parse does', () => {
    forgetKeptRatesAnswer();
    const scraped = [
      ...scrapedRequests('egress-serviceentry-scrape.prom'),
      ...scrapedRequests('bookinfo-reviews-v1-inbound-istio-1.11.4.prom'),
    ];
    expect(scraped.length).toBe(4);
    const samples = scraped.map(joined);
    const read = readAsParsed(prometheusBody(samples, T));
    expect(read.map((s) => s.labels.destination_service)).toContain('httpbin.org');
    // Prometheus' timestamps carry milliseconds.
    readAsParsed(
      Buffer.from(prometheusBody(samples, T).toString('latin1').replaceAll(`[${T},`, `[${T}.123,`)),
    );
  });

  it('reads every value as the parse does: NaN, infinities, long decimals, exponents', () => {
    forgetKeptRatesAnswer();
    const base = generated(4).slice(0, 12);
    const values = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0.30000000000000004,
      1e-7,
      1.7976931348623157e308,
      9007199254740994,
      5e-324,
      0,
      2,
      0.1,
      12345.678901234567,
    ];
    const read = readAsParsed(
      prometheusBody(
        base.map((s, i) => ({ ...s, value: values[i] as number })),
        T,
      ),
    );
    expect(read.map((s) => s.value)).toEqual(values);
  });

  it('a value that does not split: no samples (the labelled query is asked), as after the parse', () => {
    forgetKeptRatesAnswer();
    const body = prometheusBody([...generated(5), { labels: { [REQUEST_JOINED]: 'a;b' }, value: 1 }], T);
    expect(requestSamplesOfBody(body)).toEqual({ samples: undefined });
    expect(parsed(body)).toBeUndefined();
  });

  it('leaves any other shape to the generic parse, and never takes a kept series for a changed one', () => {
    forgetKeptRatesAnswer();
    const samples = generated(6).slice(0, 3);
    const body = prometheusBody(samples, T);
    readAsParsed(body);
    const text = body.toString('latin1');
    const key = samples[0]?.labels[REQUEST_JOINED] as string;
    const unread = [
      // escapes, non-ASCII, a raw control character (which the parse refuses), other labels, warnings, an error,
      // a matrix, whitespace, a string timestamp, a truncated body, trailing bytes
      Buffer.from(text.replace(key, `${key.slice(0, 5)}\\"${key.slice(5)}`)),
      Buffer.from(text.replace(key, `ä${key}`), 'utf8'),
      Buffer.from(text.replace(key, `${key.slice(0, 5)}\u0001${key.slice(6)}`), 'latin1'),
      Buffer.from(text.replace(key, `${key.slice(0, 5)}\t${key.slice(6)}`), 'latin1'),
      prometheusBody([{ labels: { __name__: 'x', [REQUEST_JOINED]: key }, value: 1 }], T),
      prometheusBody([{ labels: { reporter: 'source' }, value: 1 }], T),
      Buffer.from(text.replace(/}$/, ',"warnings":["w"]}')),
      Buffer.from('{"status":"error","errorType":"bad_data","error":"parse error"}'),
      Buffer.from(text.replace('"vector"', '"matrix"')),
      Buffer.from(text.replace('"value":[', '"value": [')),
      Buffer.from(text.replace(`[${T},`, `["${T}",`)),
      Buffer.from(text.slice(0, -3)),
      Buffer.from(`${text}x`),
      Buffer.from(text.replace('"value":[', '"value":[1,')),
    ];
    for (const b of unread)
      expect(requestSamplesOfBody(b), b.toString('latin1').slice(0, 300)).toBeUndefined();
    // The raw control character at the place of a kept series: not taken as that series, refused.
    readAsParsed(body);
    expect(() => JSON.parse(unread[2]?.toString('latin1') as string)).toThrow();
  });

  it('keeps no more than one answer, and a huge answer is read in one pass without a string per sample', () => {
    forgetKeptRatesAnswer();
    // 20,000 series of one repeated key shape: read, then read again by place.
    const many = Array.from({ length: 20_000 }, (_, i) =>
      joined(
        requestSample({
          reporter: 'source',
          from: sides[i % 40],
          to: sides[(i + 1) % 40],
          service: `s${i}.svc`,
          rps: i,
        }),
      ),
    );
    const first = readAsParsed(prometheusBody(many, T));
    const second = requestSamplesOfBody(prometheusBody(many, T + 1));
    expect(second?.samples?.every((s, i) => s.labels === first[i]?.labels)).toBe(true);
  });
});

describe("two reporters' answers joined", () => {
  const mesh = generated(40);
  const source = mesh.filter((s) => s.labels[REQUEST_JOINED]?.startsWith('source;'));
  const destination = mesh.filter((s) => s.labels[REQUEST_JOINED]?.startsWith('destination;'));

  it('are read as one answer of both, first then second, whichever is empty', () => {
    expect(source.length).toBeGreaterThan(0);
    expect(destination.length).toBeGreaterThan(0);
    // Prometheus ends its answers with a new line.
    const withNewLine = (x: Buffer) => Buffer.concat([x, Buffer.from('\n')]);
    for (const end of [(x: Buffer) => x, withNewLine])
      for (const [a, b] of [
        [source, destination],
        [[], destination],
        [source, []],
        [[], []],
      ] as const) {
        forgetKeptRatesAnswer();
        const read = requestSamplesOfAnswers(end(prometheusBody(a, T)), end(prometheusBody(b, T)));
        expect(read?.samples).toEqual(parsed(prometheusBody([...a, ...b], T)));
      }
  });

  it('are refused when either is not of the one shape (the caller parses both)', () => {
    const good = prometheusBody(source, 1);
    const warned = Buffer.from(
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] }, warnings: ['x'] }),
    );
    const scalar = Buffer.from('{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}');
    for (const other of [warned, scalar, Buffer.from('{"status":"error"}'), Buffer.alloc(0)]) {
      expect(requestSamplesOfAnswers(good, other)).toBeUndefined();
      expect(requestSamplesOfAnswers(other, good)).toBeUndefined();
    }
  });

  const moved = (xs: readonly Sample[], by: number) => xs.map((x) => ({ ...x, value: x.value * by }));
  const POLLS: [Sample[], Sample[]][] = [
    [source, destination],
    [moved(source, 1.5), moved(destination, 0.5)],
    // A series gone from the middle of the first, then back: the answer kept is compared byte by byte.
    [source.filter((_, i) => i !== 3), destination],
    [source, moved(destination, 2)],
    // Two series of keys as long swapped: each at the other's place (a key compared with the wrong bytes reads as
    // the series that was there).
    [[source[1] as Sample, source[0] as Sample, ...source.slice(2)], moved(destination, 2)],
    [[], destination],
    [source, destination],
  ];

  it('are read joined in one copy as their joined bytes are read, poll after poll, series coming and going', () => {
    forgetKeptRatesAnswer();
    for (const [a, b] of POLLS) {
      const read = requestSamplesOfAnswers(prometheusBody(a, T), prometheusBody(b, T));
      const expected = parsed(prometheusBody([...a, ...b], T));
      expect(read?.samples).toEqual(expected);
      expect(read?.samples?.every((s, i) => s.labels === expected?.[i]?.labels)).toBe(true);
    }
  });

  it("are read as they land — the first's series before the second is in — as in one go, poll after poll, another answer read between the two", () => {
    forgetKeptRatesAnswer();
    const polls: [Sample[], Sample[]][] = [...POLLS, [source, []], [moved(source, 3), moved(destination, 3)]];
    // Two of the destination's series of keys as long, at one rate, swapped: each at the other's place, its bytes
    // where the other's were (compared with the bytes of the answer before, not with its own).
    const at = destination.findIndex(
      (x, i) => i > 0 && x.labels[REQUEST_JOINED]?.length === destination[0]?.labels[REQUEST_JOINED]?.length,
    );
    expect(at).toBeGreaterThan(0);
    const even = destination.map((x, i) => (i === 0 || i === at ? { ...x, value: 7 } : x));
    const swapped = even.map((x, i) => (i === 0 ? (even[at] as Sample) : i === at ? (even[0] as Sample) : x));
    polls.push([source, even], [source, swapped], [source, even]);
    // Another view's answer: its series a part of these, in another order.
    const other = [...destination.slice(0, 5), ...source.slice(0, 5)];
    for (const between of [false, true])
      for (const [a, b] of polls) {
        const begun = beginJoinedRead(prometheusBody(a, T));
        // Another answer read while the second is still coming: the first's series were compared with the one before.
        if (between) expect(requestSamplesOfBody(prometheusBody(other, T))?.samples).toHaveLength(10);
        const read = finishJoinedRead(begun, prometheusBody(b, T));
        const expected = parsed(prometheusBody([...a, ...b], T));
        expect(read?.samples).toEqual(expected);
        expect(read?.samples?.every((s, i) => s.labels === expected?.[i]?.labels)).toBe(true);
        // And the next read compares with this answer: read in one go, the same.
        const again = requestSamplesOfAnswers(prometheusBody(a, T + 1), prometheusBody(b, T + 1));
        expect(again?.samples?.map((s) => s.labels)).toEqual(expected?.map((s) => s.labels));
        expect(again?.samples?.every((s, i) => s.labels === expected?.[i]?.labels)).toBe(true);
      }
  });
});
