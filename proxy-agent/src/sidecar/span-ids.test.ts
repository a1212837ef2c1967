import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpanIds, samplingBound, traceKeyOf } from './span-ids';

const otelSampled = (ratio: number, traceId: string) =>
  new TraceIdRatioBasedSampler(ratio).shouldSample(ROOT_CONTEXT, traceId).decision ===
  SamplingDecision.RECORD_AND_SAMPLED;

describe('span ids and the sampling of a new trace', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("makes ids as OpenTelemetry's RandomIdGenerator does: lowercase hex of 32 and 16 digits", () => {
    const ids = new SpanIds();
    for (let i = 0; i < 1000; i++) {
      expect(ids.traceId()).toMatch(/^[0-9a-f]{32}$/);
      expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('never makes an all-zero id (the last byte becomes 1), and keys it as its hex', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const ids = new SpanIds();
    expect(ids.traceId()).toBe(`${'0'.repeat(31)}1`);
    expect(ids.traceKey).toBe(traceKeyOf(`${'0'.repeat(31)}1`));
    expect(ids.spanId()).toBe(`${'0'.repeat(15)}1`);
  });

  it("decides as OpenTelemetry's TraceIdRatioBasedSampler for every ratio, from the id's numbers or its hex", () => {
    const ids = new SpanIds();
    const ratios = [0, 0.01, 0.1, 0.5, 0.99, 1, Number.NaN, 2, -1];
    for (let i = 0; i < 3000; i++) {
      const id = ids.traceId();
      expect(traceKeyOf(id)).toBe(ids.traceKey);
      for (const ratio of ratios) {
        expect(ids.traceKey < samplingBound(ratio)).toBe(otelSampled(ratio, id));
      }
    }
    // Keys at the edges of the bound.
    const edge = ['00000000000000000000000000000001', 'ffffffff000000000000000000000000', 'f'.repeat(32)];
    for (const id of edge) {
      for (const ratio of ratios) expect(traceKeyOf(id) < samplingBound(ratio)).toBe(otelSampled(ratio, id));
    }
  });
});
