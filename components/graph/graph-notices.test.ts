import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { GraphWarning } from '@/lib/graph/types';
import { GraphNotices, graphNotices } from './graph-notices';

const WARNING: GraphWarning = {
  code: 'control_plane_unavailable',
  message: 'connect ECONNREFUSED 127.0.0.1:15010',
};

describe('the graph page notices', () => {
  it('says a failure and partial data in words, only the partial data dismissible', () => {
    const notices = graphNotices({
      at: 1_800_000_000,
      onLive: () => {},
      error: new Error('Prometheus is down.'),
      stale: true,
      warnings: [WARNING],
    });
    expect(notices.map((n) => [n.key, n.tone, n.dismissible])).toEqual([
      ['pinned', 'warning', false],
      ['error', 'error', false],
      [`control_plane_unavailable:${WARNING.message}`, 'warning', true],
    ]);
    expect(notices[1]?.body).toBe('Prometheus is down. Showing the last graph received.');
    expect(notices[2]?.title).toBe('control plane unavailable');
  });

  it('puts the failure in an alert region and the warnings in a status region, both there when empty', () => {
    const html = (warnings: GraphWarning[], error: Error | null) =>
      renderToStaticMarkup(
        createElement(GraphNotices, {
          status: '3 nodes',
          notices: graphNotices({ onLive: () => {}, error, stale: false, warnings }),
        }),
      );
    const empty = html([], null);
    expect(empty).toContain('role="alert"');
    expect(empty).toContain('role="status"');
    expect(empty).not.toContain('graph-notice"');
    const both = html([WARNING], new Error('Prometheus is down.'));
    expect(both).toMatch(/role="alert"[^>]*>.*The graph cannot be updated\..*Prometheus is down\./);
    expect(both).toMatch(
      /role="status"[^>]*>.*control plane unavailable.*Dismiss: control plane unavailable/,
    );
  });
});
