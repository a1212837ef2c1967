import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupIntoTraces, spansFromOtlp } from './from-otlp';
import type { Trace } from './model';
import { tracesToOtlp } from './to-otlp';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

describe('Jaeger → OTLP (the /api/v3 answer)', () => {
  it('turns the legacy half of parser-parity-capture.json into its v3 half', () => {
    const capture = fixture('parser-parity-capture.json') as {
      legacy: { data: Trace[] };
      v3: { result: unknown };
    };
    expect(tracesToOtlp(capture.legacy.data)).toEqual(capture.v3.result);
  });

  it('round-trips kind, status, scope, events, links and typed attributes through both conversions', () => {
    const otlp = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'host', value: { stringValue: 'h' } },
              { key: 'service.name', value: { stringValue: 's' } },
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'lib', version: '1.2' },
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '1112131415161718',
                  parentSpanId: '2122232425262728',
                  name: 'op',
                  kind: 3,
                  startTimeUnixNano: '1000000',
                  endTimeUnixNano: '3000000',
                  attributes: [
                    { key: 'n', value: { intValue: '5' } },
                    { key: 'f', value: { doubleValue: 1.5 } },
                    { key: 'b', value: { boolValue: true } },
                  ],
                  events: [
                    {
                      timeUnixNano: '2000000',
                      name: 'retry',
                      attributes: [{ key: 'attempt', value: { intValue: '2' } }],
                    },
                  ],
                  links: [{ traceId: 'a102030405060708090a0b0c0d0e0f10', spanId: 'a112131415161718' }],
                  status: { code: 2, message: 'upstream reset' },
                },
              ],
            },
          ],
        },
      ],
    };
    const traces = groupIntoTraces(spansFromOtlp(otlp).spans);
    expect(tracesToOtlp(traces)).toEqual(otlp);
  });
});
