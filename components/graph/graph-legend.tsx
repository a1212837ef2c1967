// The legend: node shapes by kind, health colours, badges, edge kinds (mTLS, plaintext, TCP), edge width.
import { HEALTH_COLOURS, PLAINTEXT_COLOUR, TCP_COLOUR } from './cy-style';
import { BADGE_GLYPHS, MTLS_GLYPH, PLAINTEXT_GLYPH } from './elements';

const SHAPES: { label: string; svg: string }[] = [
  { label: 'App (version)', svg: '<rect x="2" y="2" width="12" height="12" rx="3" />' },
  { label: 'Workload', svg: '<circle cx="8" cy="8" r="6" />' },
  { label: 'Service', svg: '<polygon points="8,2 14,14 2,14" />' },
  { label: 'External (ServiceEntry)', svg: '<polygon points="8,1 15,8 8,15 1,8" />' },
  { label: 'Unknown (outside the mesh)', svg: '<polygon points="4,2 12,2 15,8 12,14 4,14 1,8" />' },
  {
    label: 'PassthroughCluster / BlackHoleCluster',
    svg: '<polygon points="8,2 14,14 2,14" stroke-width="3" />',
  },
  { label: 'Egress gateway', svg: '<polygon points="8,1 15,6 12,15 4,15 1,6" />' },
];
const EDGES: { mark: string; label: string; colour?: string; dash?: string }[] = [
  { mark: MTLS_GLYPH, label: 'mutual TLS' },
  {
    mark: PLAINTEXT_GLYPH,
    label: 'plaintext where mTLS was expected',
    colour: PLAINTEXT_COLOUR,
    dash: '1 2',
  },
  { mark: '', label: 'TCP (bytes/s)', colour: TCP_COLOUR, dash: '4 2' },
];
const BADGES: { glyph: string; label: string }[] = [
  { glyph: BADGE_GLYPHS.canary, label: 'canary weights' },
  { glyph: BADGE_GLYPHS.retries, label: 'retries configured' },
  { glyph: BADGE_GLYPHS.fault, label: 'fault injection' },
  { glyph: BADGE_GLYPHS.circuitBreaker, label: 'circuit breaker / outlier detection' },
  { glyph: `${BADGE_GLYPHS.ejections}n`, label: 'endpoints ejected now' },
  { glyph: `${BADGE_GLYPHS.validationErrors}n`, label: 'Istio config errors' },
  { glyph: `${BADGE_GLYPHS.validationWarnings}n`, label: 'Istio config warnings' },
];

export function GraphLegend() {
  return (
    <section aria-label="Legend" className="space-y-2 text-xs">
      <h2 className="font-semibold">Legend</h2>
      <ul className="space-y-1">
        {SHAPES.map((s) => (
          <li key={s.label} className="flex items-center gap-2">
            <svg
              width="16"
              height="16"
              viewBox="0 0 16 16"
              aria-hidden="true"
              className="fill-white stroke-slate-500 dark:fill-slate-800"
              // biome-ignore lint/security/noDangerouslySetInnerHtml: constant SVG shapes of ours
              dangerouslySetInnerHTML={{ __html: s.svg }}
            />
            {s.label}
          </li>
        ))}
      </ul>
      <ul className="space-y-1">
        {(Object.entries(HEALTH_COLOURS) as [string, string][]).map(([h, colour]) => (
          <li key={h} className="flex items-center gap-2">
            <span
              aria-hidden="true"
              className="inline-block h-3 w-3 rounded-full border-2"
              style={{ borderColor: colour }}
            />
            {h === 'failure' ? 'failing' : h === 'idle' ? 'no traffic' : h}
          </li>
        ))}
      </ul>
      <ul className="space-y-1">
        {BADGES.map((b) => (
          <li key={b.label}>
            <span className="inline-block w-6 font-mono">{b.glyph}</span>
            {b.label}
          </li>
        ))}
      </ul>
      <ul className="space-y-1">
        {EDGES.map((e) => (
          <li key={e.label} className="flex items-center gap-2">
            <svg width="24" height="8" viewBox="0 0 24 8" aria-hidden="true">
              <line
                x1="0"
                y1="4"
                x2="24"
                y2="4"
                stroke={e.colour ?? HEALTH_COLOURS.healthy}
                strokeWidth="2"
                strokeDasharray={e.dash}
              />
            </svg>
            <span className="inline-block min-w-14 whitespace-nowrap font-mono">{e.mark}</span>
            {e.label}
          </li>
        ))}
      </ul>
      <p className="text-slate-500 dark:text-slate-400">
        Edge width grows with requests/s; dashed border: outside the chosen namespaces.
      </p>
    </section>
  );
}
