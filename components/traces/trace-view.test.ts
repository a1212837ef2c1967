// The waterfall rendered (server-side, no browser) from real Jaeger JSON and from a sidecar trace.
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type Trace, TraceSchema, TracesResponseSchema } from '@/lib/jaeger/model';
import { readTraces } from '@/lib/jaeger/read-traces';
import { bookinfoFailingTrace } from '@/lib/traces/testdata/bookinfo-trace';
import { makeTrace } from '@/lib/traces/testdata/make-trace';
import { putLocalTraces } from './local-traces';
import { TraceTimeline } from './trace-view';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const render = (trace: Trace, initialSpanId?: string) =>
  renderToStaticMarkup(createElement(TraceTimeline, { trace, initialSpanId }));
const rowIds = (html: string) => [...html.matchAll(/data-span-id="([^"]+)"/g)].map((m) => m[1]);

describe('TraceTimeline', () => {
  it('renders a real Jaeger trace: every span a row, the error span marked and selected', () => {
    const trace = TracesResponseSchema.parse(
      (fixture('parser-parity-capture.json') as { legacy: unknown }).legacy,
    ).data[0] as Trace;
    const html = render(trace);
    expect(rowIds(html)).toEqual(['d4dcb46e95b781f5', '41f71485ed2593e4']);
    expect(html).toContain('data-span-id="d4dcb46e95b781f5" data-error="true"');
    // The detail pane opens on the error span, its log shown as an event.
    expect(html).toMatch(/data-testid="span-detail"[\s\S]*d4dcb46e95b781f5/);
    expect(html).toContain('test-event');
  });

  it('renders the UI model fixture and the OTLP-converted one, repeated span ids included', () => {
    const ui = TraceSchema.parse(fixture('uimodel-ui_01.json'));
    expect(rowIds(render(ui))).toHaveLength(ui.spans.length);
    const converted = TracesResponseSchema.parse(fixture('otlp2jaeger-out.json')).data[0] as Trace;
    expect(rowIds(render(converted))).toEqual(['e127af99e3b3e074', 'e127af99e3b3e074']);
  });

  it('shows the failing span of a sidecar trace with its status code, flags in words and attempts', () => {
    const html = render(bookinfoFailingTrace, 'a000000000000004');
    const detail = html.slice(html.indexOf('data-testid="span-detail"'));
    expect(detail).toMatch(/data-testid="span-status"[^>]*>503 — error/);
    expect(detail).toContain('aborted by fault injection');
    expect(detail).toContain('retries exhausted');
    expect(detail.match(/data-attempt="\d"/g)).toEqual(['data-attempt="1"', 'data-attempt="2"']);
    expect(detail).toContain('127.0.0.1:9301');
    // The critical path is drawn on the spans that held the request up.
    expect(html).toContain('data-critical-path');
  });

  it('renders only the rows in view of a 2,000-span trace', () => {
    const specs = Array.from({ length: 2000 }, (_, i) => ({
      id: `s${String(i).padStart(4, '0')}`,
      start: i * 10,
      duration: 5,
      parent: i === 0 ? undefined : 's0000',
    }));
    const html = render(makeTrace(specs));
    const rows = rowIds(html);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]).toBe('s0000');
  });

  it('shows an odd backend answer with its repairs: rows marked, warnings listed, the trace header says how many', () => {
    const read = readTraces({
      data: [
        {
          traceID: 'aaaaaaaaaaaaaaaa',
          spans: [
            {
              traceID: 'aaaaaaaaaaaaaaaa',
              spanID: 'a1',
              operationName: 'root',
              startTime: 1e15,
              duration: 10,
              processID: 'p1',
            },
            {
              spanID: 'a2',
              operationName: 'odd',
              references: [{ refType: 'CHILD_OF', spanID: 'ff' }],
              startTime: 1e15 + 1,
              duration: 1,
              tags: [{ key: 'error', type: 'bool', value: 'true' }],
              processID: 'p1',
            },
          ],
          processes: { p1: { serviceName: 'svc' } },
        },
      ],
    });
    if (!read.ok) throw new Error(read.message);
    const html = render(read.traces[0] as Trace);
    expect(html).toContain('data-testid="trace-warnings"');
    expect(html).toMatch(/data-span-id="00000000000000a2"[\s\S]*?data-span-warnings="\d+"/);
    const detail = html.slice(html.indexOf('data-testid="span-detail"'));
    expect(detail).toContain('bool sent as the string');
    expect(detail).toContain('(orphan)');
    // The views are tabs over the trace; the timeline is the one shown.
    expect(html).toMatch(/role="tab"[^>]*aria-selected="true"[^>]*>Timeline/);
  });

  it('opens a big trace folded below a depth', () => {
    const specs = [{ id: 'r', start: 0, duration: 100_000 }] as {
      id: string;
      start: number;
      duration: number;
      parent?: string;
    }[];
    for (let i = 0; i < 3000; i++)
      specs.push({ id: `c${i}`, start: i, duration: 1, parent: i === 0 ? 'r' : `c${i - 1}` });
    const html = render(makeTrace(specs));
    expect(html).toMatch(/Spans \((\d) shown/);
    expect(Number(/Spans \((\d+) shown/.exec(html)?.[1])).toBeLessThan(10);
  });

  it('lists the links of a span, followable: within the trace, into a trace of an opened file, into the backend', () => {
    const trace = makeTrace([
      { id: 'r', start: 0, duration: 100 },
      { id: 'f', start: 10, duration: 5, parent: 'r' },
    ]);
    (trace.spans[1] as { references: unknown[] }).references.push(
      { refType: 'FOLLOWS_FROM', traceID: 'ffff', spanID: 's1' },
      { refType: 'FOLLOWS_FROM', traceID: 'eeee', spanID: 's2' },
    );
    putLocalTraces([makeTrace([{ id: 's1', start: 0, duration: 1 }], 'ffff')], 'other.json');
    const detail = render(trace, 'f').split('data-testid="span-detail"')[1] ?? '';
    expect(detail).toContain('Go to span r');
    expect(detail).toContain('href="/traces/file/ffff?span=s1"');
    expect(detail).toContain('href="/traces/eeee?span=s2"');
  });
});
