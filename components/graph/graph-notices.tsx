'use client';
// Over the canvas's top edge: the status line, the page's notices (pinned time, the graph's failure, partial
// data such as the control plane unavailable) and the namespaces' mTLS badges. Laid over the canvas rather
// than above it, a notice that comes or goes after the graph is drawn leaves the canvas its size: no refit,
// no jump, no preview squeezed. Failures are announced at once (an alert region), the rest politely; both
// regions stay mounted so that what is added to them is read. A warning can be dismissed while it lasts.
import { type ReactNode, useEffect, useState } from 'react';
import type { GraphWarning, PeerMode } from '@/lib/graph/types';
import { NamespaceMtlsBadges } from './namespace-mtls-badges';

export interface GraphNotice {
  /** Identifies the notice while it lasts: a dismissed one comes back when its key changes. */
  key: string;
  tone: 'error' | 'warning';
  title: string;
  body?: ReactNode;
  dismissible: boolean;
}

/**
 * The graph page's notices: the time it is pinned at (with the way back to live), the graph's failure (the
 * last graph received still shown), and a notice per warning of the graph (partial data: the rest of the
 * graph is good), each of those dismissible.
 */
export function graphNotices(p: {
  at?: number;
  onLive: () => void;
  error: Error | null;
  /** A graph received earlier is shown. */
  stale: boolean;
  warnings?: readonly GraphWarning[];
}): GraphNotice[] {
  const notices: GraphNotice[] = [];
  if (p.at !== undefined)
    notices.push({
      key: 'pinned',
      tone: 'warning',
      title: `Pinned at ${new Date(p.at * 1000).toLocaleString()}.`,
      body: (
        <button type="button" className="underline" onClick={p.onLive}>
          Back to live
        </button>
      ),
      dismissible: false,
    });
  if (p.error)
    notices.push({
      key: 'error',
      tone: 'error',
      title: 'The graph cannot be updated.',
      body: `${p.error.message}${p.stale ? ' Showing the last graph received.' : ''}`,
      dismissible: false,
    });
  for (const w of p.warnings ?? [])
    notices.push({
      key: `${w.code}:${w.message}`,
      tone: 'warning',
      title: w.code.replace(/_/g, ' '),
      body: w.message,
      dismissible: true,
    });
  return notices;
}

const TONE = {
  error: 'border-red-300 bg-red-50/95 text-red-900 dark:border-red-800 dark:bg-red-950/95 dark:text-red-100',
  warning:
    'border-amber-300 bg-amber-50/95 text-amber-900 dark:border-amber-800 dark:bg-amber-950/95 dark:text-amber-100',
};

function Notice({ notice, onDismiss }: { notice: GraphNotice; onDismiss: () => void }) {
  return (
    <div
      data-testid="graph-notice"
      className={`pointer-events-auto mt-1 flex items-start gap-2 rounded border px-3 py-1.5 text-sm shadow ${TONE[notice.tone]}`}
    >
      <p className="min-w-0 flex-1 break-words">
        <strong className="font-semibold">{notice.title}</strong>
        {notice.body ? <span className="ml-2">{notice.body}</span> : null}
      </p>
      {notice.dismissible ? (
        <button
          type="button"
          aria-label={`Dismiss: ${notice.title}`}
          title="Dismiss"
          className="-my-0.5 rounded px-1 leading-none opacity-70 hover:opacity-100"
          onClick={onDismiss}
        >
          ×
        </button>
      ) : null}
    </div>
  );
}

export function GraphNotices({
  status,
  notices,
  mtls,
}: {
  status: string;
  notices: readonly GraphNotice[];
  mtls?: Record<string, PeerMode>;
}) {
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const present = notices.map((n) => n.key).join('\n');
  // A dismissed notice that has gone is forgotten: should it come again, it is shown again.
  useEffect(() => {
    const keys = new Set(present.split('\n'));
    setDismissed((d) =>
      Array.from(d).every((k) => keys.has(k)) ? d : new Set(Array.from(d).filter((k) => keys.has(k))),
    );
  }, [present]);
  const shown = notices.filter((n) => !(n.dismissible && dismissed.has(n.key)));
  const hidden = notices.length - shown.length;
  const dismiss = (key: string) => setDismissed((d) => new Set(d).add(key));
  const list = (tone: GraphNotice['tone']) =>
    shown
      .filter((n) => n.tone === tone)
      .map((n) => <Notice key={n.key} notice={n} onDismiss={() => dismiss(n.key)} />);
  return (
    <div
      data-testid="graph-notices"
      className="pointer-events-none absolute inset-x-2 top-2 z-10 flex max-h-[calc(100%-1rem)] flex-col items-start overflow-hidden"
    >
      {/* Always there (a live region), drawn only with words in it. */}
      <span
        className={`text-xs text-slate-600 dark:text-slate-400 ${status ? 'rounded bg-white/80 px-2 py-1 dark:bg-slate-950/80' : ''}`}
        aria-live="polite"
      >
        {status}
      </span>
      <div role="alert" className="w-full max-w-2xl">
        {list('error')}
      </div>
      <div role="status" className="w-full max-w-2xl">
        {list('warning')}
      </div>
      {hidden > 0 ? (
        <button
          type="button"
          className="pointer-events-auto mt-1 rounded bg-white/90 px-2 py-0.5 text-xs text-slate-700 underline shadow dark:bg-slate-950/90 dark:text-slate-300"
          onClick={() => setDismissed(new Set())}
        >
          {hidden === 1 ? 'Show 1 dismissed notice' : `Show ${hidden} dismissed notices`}
        </button>
      ) : null}
      <NamespaceMtlsBadges modes={mtls} />
    </div>
  );
}
