'use client';
import { LockIcon } from '@/components/ui/lock-icon';
// The edge panel's security section: the share of the traffic over mutual TLS (as the destination
// reported it), both sides' SPIFFE identities, and — standing out — plaintext where mTLS was expected.
import { formatPercent } from '@/lib/graph/format';
import type { EdgeData } from '@/lib/graph/types';

/** The mTLS share in words; undefined when no destination reported the edge's security policy. */
export function mtlsWords(isMTLS: number | undefined): string | undefined {
  if (isMTLS === undefined) return undefined;
  if (isMTLS >= 100) return 'All requests over mutual TLS';
  if (isMTLS <= 0) return 'No request over mutual TLS: all in plaintext';
  return `${formatPercent(isMTLS)} of requests over mutual TLS, the rest in plaintext`;
}

export function EdgeSecurity({ edge }: { edge: EdgeData }) {
  const words = mtlsWords(edge.isMTLS);
  if (!words && !edge.sourcePrincipal && !edge.destPrincipal) return null;
  return (
    <section aria-label="Security" data-testid="edge-security" className="space-y-1 text-xs">
      <h3 className="font-semibold text-slate-700 text-sm dark:text-slate-200">Security</h3>
      {words ? (
        <p data-testid="edge-mtls">
          <LockIcon open={(edge.isMTLS ?? 0) <= 0} /> {words}
        </p>
      ) : null}
      {edge.mtlsWarning ? (
        <p
          role="alert"
          data-testid="edge-mtls-warning"
          className="rounded bg-amber-100 px-2 py-1 text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          <LockIcon open /> Should be mTLS: {edge.mtlsWarning}.
        </p>
      ) : null}
      {edge.sourcePrincipal || edge.destPrincipal ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-2 break-all">
          <dt className="text-slate-500">Source principal</dt>
          <dd data-testid="source-principal">{edge.sourcePrincipal ?? 'unknown'}</dd>
          <dt className="text-slate-500">Destination principal</dt>
          <dd data-testid="dest-principal">{edge.destPrincipal ?? 'unknown'}</dd>
        </dl>
      ) : null}
    </section>
  );
}
