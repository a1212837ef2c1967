'use client';
import { LockIcon } from '@/components/ui/lock-icon';
// A badge per namespace of the graph where mutual TLS is required (STRICT), and the mode in words for
// the others: the namespace badge Kiali shows for its mTLS status. Placed by `GraphNotices`, over the canvas.
import type { PeerMode } from '@/lib/graph/types';

const MODE_WORDS: Record<PeerMode, string> = {
  STRICT: 'mTLS required (STRICT)',
  PERMISSIVE: 'mTLS and plaintext accepted (PERMISSIVE)',
  DISABLE: 'mTLS disabled (DISABLE)',
};

export function NamespaceMtlsBadges({ modes }: { modes?: Record<string, PeerMode> }) {
  const entries = Object.entries(modes ?? {});
  if (entries.length === 0) return null;
  return (
    <ul aria-label="Namespace mTLS" className="pointer-events-none mt-1 flex flex-wrap gap-1 text-xs">
      {entries.map(([ns, mode]) => (
        <li
          key={ns}
          data-testid="namespace-mtls"
          data-namespace={ns}
          data-mode={mode}
          title={`${ns}: ${MODE_WORDS[mode]}`}
          className={`rounded px-1.5 py-0.5 ${
            mode === 'STRICT'
              ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200'
              : 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'
          }`}
        >
          {mode === 'STRICT' ? <LockIcon className="mr-1" /> : null}
          {ns} · {mode}
        </li>
      ))}
    </ul>
  );
}
