// "3 apps: 2 healthy, 1 failure" — counts by health as a line of words with the health marks.
import { HEALTH_ORDER, HEALTH_WORDS } from '@/lib/inventory/health';
import type { HealthCounts } from '@/lib/inventory/overview';

export function HealthCountsLine({ label, counts }: { label: string; counts: HealthCounts }) {
  const total = HEALTH_ORDER.reduce((n, h) => n + counts[h], 0);
  const parts = HEALTH_ORDER.filter((h) => counts[h] > 0).map(
    (h) => `${counts[h]} ${HEALTH_WORDS[h].toLowerCase()}`,
  );
  return (
    <span>
      <span className="font-semibold">
        {total} {label}
      </span>
      {parts.length > 0 ? (
        <span className="text-slate-700 dark:text-slate-300">: {parts.join(', ')}</span>
      ) : null}
    </span>
  );
}

/** The worst health present among the counts, for a card's border. */
export function worstOf(...all: HealthCounts[]): 'failure' | 'degraded' | 'healthy' | 'idle' {
  for (const h of HEALTH_ORDER) if (all.some((c) => c[h] > 0)) return h;
  return 'idle';
}
