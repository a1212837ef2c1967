// Health across measures (inbound and outbound, or the members of a group): the worst one counts, as in
// Kiali; no traffic anywhere is `idle` ("no traffic" in words).
import type { Health } from './types';

const RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failure: 3 };

export const HEALTH_ORDER: readonly Health[] = ['failure', 'degraded', 'healthy', 'idle'];

export const HEALTH_WORDS: Record<Health, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  failure: 'Failure',
  idle: 'No traffic',
};

export function worstHealth(hs: readonly Health[]): Health {
  let worst: Health = 'idle';
  for (const h of hs) if (RANK[h] > RANK[worst]) worst = h;
  return worst;
}

export function healthRank(h: Health): number {
  return RANK[h];
}
