import { describe, expect, it } from 'vitest';
import { graphSvg } from './graph-svg';

const node = (id: string, x: number, kind = 'app', dimmed = false) => ({
  id,
  label: `${id}\n↻`,
  x,
  y: 10,
  size: 30,
  kind,
  colour: '#16a34a',
  dimmed,
});

describe('the graph as SVG', () => {
  const svg = graphSvg({
    nodes: [node('app:a', 0), node('svc:<b>', 100, 'service', true), node('box:x', 50, 'box')],
    edges: [
      {
        id: 'app:a->svc:<b>',
        from: { x: 15, y: 10 },
        to: { x: 85, y: 10 },
        colour: '#dc2626',
        width: 2,
        dimmed: false,
      },
    ],
    dark: false,
    title: 'Service graph',
  });

  it('draws each node and edge by id, names escaped, boxes left out', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-id="app:a"');
    expect(svg).toContain('data-id="svc:&lt;b&gt;"');
    expect(svg).toContain('data-id="app:a-&gt;svc:&lt;b&gt;"');
    expect(svg).not.toContain('data-id="box:x"');
    expect(svg).not.toContain('<b>');
  });

  it('keeps the focus dimming and carries the legend', () => {
    expect(svg).toMatch(/data-id="svc:&lt;b&gt;" opacity="0.12"/);
    expect(svg).toContain('>Legend<');
    expect(svg).toContain('>failing<');
  });

  it('is well-formed XML', () => {
    // Every opened element is closed: a crude check that holds for this writer's output.
    const opens = svg.match(/<(g|svg|text|defs|marker)\b/g)?.length ?? 0;
    const closes = svg.match(/<\/(g|svg|text|defs|marker)>/g)?.length ?? 0;
    expect(opens).toBe(closes);
  });
});
