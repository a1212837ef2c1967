import { describe, expect, it } from 'vitest';
import { expose, type Format, type MetricFamily, withFamilies } from './exposition';

const family = (name: string, type: MetricFamily['type'], values: number[]): MetricFamily => ({
  name,
  help: `${name} help`,
  type,
  samples: () => values.map((value, i) => ({ labels: i === 0 ? '' : `n="${i}"`, value })),
});

const METRICS = [
  family('istio_requests_total', 'counter', [1, 2, 3]),
  family('meshlens_endpoint_healthy', 'gauge', [1, 0]),
  family('meshlens_metric_series_overflow_total', 'counter', [0]),
];
const MORE = [
  family('envoy_tracing_opentelemetry_spans_sent', 'counter', [242]),
  family('spans_dropped', 'counter', [0]),
];

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

describe('withFamilies', () => {
  // The sidecar's scrape failed in Prometheus ("parsing \"0#\"") when the metrics' last chunk held nothing but
  // the text's end: the next family was glued to the last sample. Every chunk size puts the end somewhere else.
  for (const format of ['openmetrics', 'prometheus'] as Format[]) {
    it(`writes the families as one list whatever the chunks (${format})`, async () => {
      const whole = await text(expose([...METRICS, ...MORE], format));
      const longest = whole.length + 1;
      for (let chunkChars = 1; chunkChars <= longest; chunkChars += 7) {
        const joined = await text(
          withFamilies(expose(METRICS, format, chunkChars), MORE, format, chunkChars),
        );
        expect(joined, `chunks of ${chunkChars}`).toBe(whole);
      }
    });
  }

  it('adds nothing before the families when the metrics are empty', async () => {
    const whole = await text(expose(MORE, 'openmetrics'));
    expect(await text(withFamilies(expose([], 'openmetrics'), MORE, 'openmetrics'))).toBe(whole);
  });
});
