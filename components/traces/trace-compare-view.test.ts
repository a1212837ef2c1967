// The compare page rendered (server-side, no browser) for two traces opened from a file: each path's
// change in words, added/removed/slower marked.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeTrace } from '@/lib/traces/testdata/make-trace';
import { putLocalTraces } from './local-traces';
import { TraceCompareView } from './trace-compare-view';

describe('TraceCompareView', () => {
  it('shows B against A: slower, added and removed paths in words', () => {
    const a = makeTrace(
      [
        { id: 'r', start: 0, duration: 100, service: 'front', operation: 'GET /' },
        { id: 'q', start: 1, duration: 10, parent: 'r', service: 'db', operation: 'query' },
        { id: 'o', start: 20, duration: 5, parent: 'r', service: 'back', operation: 'old' },
      ],
      'aaaa',
    );
    const b = makeTrace(
      [
        { id: 'r', start: 0, duration: 100, service: 'front', operation: 'GET /' },
        { id: 'q', start: 1, duration: 60, parent: 'r', service: 'db', operation: 'query' },
        { id: 'n', start: 70, duration: 5, parent: 'r', service: 'back', operation: 'new' },
      ],
      'bbbb',
    );
    putLocalTraces([a, b], 'pair.json');
    const html = renderToStaticMarkup(
      createElement(
        QueryClientProvider,
        { client: new QueryClient() },
        createElement(TraceCompareView, { a: 'aaaa', b: 'bbbb' }),
      ),
    );
    const state = (name: string) =>
      new RegExp(`data-diff-state="(\\w+)"[^>]*><td[^>]*>${name}<`).exec(html)?.[1];
    expect(state('db: query')).toBe('slower');
    expect(state('back: new')).toBe('added');
    expect(state('back: old')).toBe('removed');
    expect(state('front: GET /')).toBe('same');
    expect(html).toContain('slower in B');
    expect(html).toContain('href="/traces/file/aaaa"');
  });
});
