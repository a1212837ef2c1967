// The Istio config that applies to an item: each resource linked to its Istio Config page, with its
// validity (from the validations) in words; compact in a list cell, with reasons in a detail.
import Link from 'next/link';
import type { ConfigAvailability, ConfigRef } from '@/lib/inventory/types';
import { configHref, LINK_CLASS } from './links';

const SHORT: Record<string, string> = {
  VirtualService: 'VS',
  DestinationRule: 'DR',
  ServiceEntry: 'SE',
  PeerAuthentication: 'PA',
  Sidecar: 'SC',
};

function Validity({ c }: { c: ConfigRef }) {
  if (c.validity === 'error')
    return <span className="font-semibold text-red-700 dark:text-red-300"> (error)</span>;
  if (c.validity === 'warning')
    return <span className="font-semibold text-amber-800 dark:text-amber-300"> (warning)</span>;
  return null;
}

export function ConfigCell({
  config,
  availability,
}: {
  config: readonly ConfigRef[];
  availability: ConfigAvailability;
}) {
  if (!availability.available)
    return <span className="text-xs text-slate-600 dark:text-slate-300">config not available</span>;
  if (config.length === 0) return <span className="text-slate-600 dark:text-slate-300">none</span>;
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5 text-xs">
      {config.map((c) => (
        <Link
          key={`${c.kind}/${c.namespace}/${c.name}`}
          href={configHref(c.kind, c.namespace, c.name)}
          aria-label={`${c.kind} ${c.namespace}/${c.name}${c.validity && c.validity !== 'valid' ? `, ${c.validity}` : ''}`}
          className={LINK_CLASS}
        >
          {SHORT[c.kind] ?? c.kind} {c.name}
          <Validity c={c} />
        </Link>
      ))}
    </span>
  );
}

export function ConfigList({
  config,
  availability,
}: {
  config: readonly ConfigRef[];
  availability: ConfigAvailability;
}) {
  if (!availability.available)
    return (
      <p className="text-sm">
        Istio config is not available: {availability.message.replace(/^Istio config is not available: /, '')}
      </p>
    );
  if (config.length === 0) return <p className="text-sm">No Istio config applies.</p>;
  return (
    <ul className="space-y-1 text-sm">
      {config.map((c) => (
        <li key={`${c.kind}/${c.namespace}/${c.name}`}>
          <Link href={configHref(c.kind, c.namespace, c.name)} className={LINK_CLASS}>
            {c.kind} {c.namespace}/{c.name}
          </Link>{' '}
          <span className="text-slate-600 dark:text-slate-300">— {c.reason}</span>
          <Validity c={c} />
          {c.findings && c.findings.length > 0 ? (
            <ul className="ml-4 list-disc text-xs">
              {c.findings.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
