// Config and live badges of a node or an edge, in words; live stats a mesh does not export say so.
import { formatRps } from '@/lib/graph/format';
import type { Badges } from '@/lib/graph/types';
import { CHECKS } from '@/lib/mesh-config/validations/codes';
import { BADGE_GLYPHS } from './elements';

const CHECK_TITLES: ReadonlyMap<string, string> = new Map(
  Object.values(CHECKS).map((c) => [c.code, c.title]),
);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function BadgeList({ badges }: { badges: Badges }) {
  const items: string[] = [];
  if (badges.canary) {
    items.push(
      `${BADGE_GLYPHS.canary} canary: ${badges.canary.weights.map((w) => `${w.subset ?? w.host} ${w.weight}%`).join(', ')}`,
    );
  }
  if (badges.retries) {
    const r = badges.retries;
    items.push(
      `${BADGE_GLYPHS.retries} retries: ${r.attempts} attempts${r.perTryTimeout ? `, ${r.perTryTimeout} per try` : ''}${r.retryOn ? ` on ${r.retryOn}` : ''}`,
    );
  }
  if (badges.fault) {
    const f = badges.fault;
    const parts = [
      f.delayPercent !== undefined ? `delay ${f.fixedDelay} for ${f.delayPercent}%` : '',
      f.abortPercent !== undefined ? `abort ${f.abortHttpStatus} for ${f.abortPercent}%` : '',
    ].filter(Boolean);
    items.push(`${BADGE_GLYPHS.fault} fault injection: ${parts.join(', ')}`);
  }
  if (badges.circuitBreaker) {
    const od = badges.circuitBreaker.outlierDetection;
    const cp = badges.circuitBreaker.connectionPool;
    const parts = [
      od
        ? `outlier detection after ${od.consecutive5xxErrors ?? od.consecutiveGatewayErrors ?? 5} errors, ejected ${od.baseEjectionTime ?? '30s'}`
        : '',
      cp?.maxConnections !== undefined ? `max ${cp.maxConnections} connections` : '',
      cp?.http1MaxPendingRequests !== undefined ? `max ${cp.http1MaxPendingRequests} pending` : '',
    ].filter(Boolean);
    items.push(`${BADGE_GLYPHS.circuitBreaker} circuit breaker: ${parts.join(', ')}`);
  }
  const v = badges.validation;
  if (v && (v.errors > 0 || v.warnings > 0)) {
    const marks = [
      v.errors ? `${BADGE_GLYPHS.validationErrors}${v.errors}` : '',
      v.warnings ? `${BADGE_GLYPHS.validationWarnings}${v.warnings}` : '',
    ].filter(Boolean);
    const counts = [
      v.errors ? plural(v.errors, 'error') : '',
      v.warnings ? plural(v.warnings, 'warning') : '',
    ]
      .filter(Boolean)
      .join(', ');
    const why = v.codes.map((c) => `${c} ${CHECK_TITLES.get(c) ?? ''}`.trim()).join('; ');
    items.push(`${marks.join(' ')} Istio config: ${counts}${why ? ` — ${why}` : ''}`);
  }
  const live = badges.live;
  if (live && !live.reported) items.push('Envoy stats: not reported by this mesh');
  if (live?.reported) {
    const parts = [
      live.ejectionsActive !== undefined ? `${live.ejectionsActive} endpoint(s) ejected` : '',
      live.retryRate !== undefined ? `retries ${formatRps(live.retryRate)}` : '',
      live.retryOverflowRate ? `retry overflow ${formatRps(live.retryOverflowRate)}` : '',
      live.pendingOverflowRate ? `pending overflow ${formatRps(live.pendingOverflowRate)}` : '',
    ].filter(Boolean);
    items.push(`Live: ${parts.join(', ') || 'no retries or ejections'}`);
  }
  if (items.length === 0) return null;
  return (
    <ul aria-label="Badges" className="space-y-0.5 text-xs">
      {items.map((i) => (
        <li key={i}>{i}</li>
      ))}
    </ul>
  );
}
