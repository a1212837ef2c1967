// The detail's Overview tab: labels, sidecar, instances or member workloads, services, the Istio config
// that applies (with validity), and the neighbours: a mini-graph (the full graph focused on the item is
// one click away) and the same neighbours as a list, its text alternative.
import Link from 'next/link';
import type { ItemDetail } from '@/lib/inventory/server';
import { LabelChips, SidecarBadge } from './badges';
import { ConfigList } from './config-refs';
import { itemHref, LINK_CLASS } from './links';
import { MiniGraph } from './mini-graph';

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="flex flex-col gap-1">
      <h2 className="font-semibold">{title}</h2>
      {children}
    </section>
  );
}

function Names({
  kind,
  namespace,
  names,
}: {
  kind: 'workloads' | 'services';
  namespace: string;
  names: readonly string[];
}) {
  if (names.length === 0) return <p className="text-sm">None seen.</p>;
  return (
    <ul className="flex flex-wrap gap-x-3 text-sm">
      {names.map((n) => (
        <li key={n}>
          <Link href={itemHref(kind, namespace, n)} className={LINK_CLASS}>
            {n}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function OverviewTab({ detail }: { detail: ItemDetail }) {
  const { item, peers } = detail;
  const neighbours = [...peers.inbound, ...peers.outbound].filter((p) => p.kind && p.namespace);
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
      <Section title="Labels">
        <LabelChips labels={item.labels} />
        {item.host ? (
          <p className="text-sm">
            Host: <span className="font-mono">{item.host}</span>
          </p>
        ) : null}
        <p className="text-sm">
          Sidecar: <SidecarBadge state={item.sidecar} />
        </p>
      </Section>
      {item.kind === 'workloads' ? (
        <Section title="Instances">
          {item.instances.length === 0 ? (
            <p className="text-sm">No WorkloadEntry registers an instance of it.</p>
          ) : (
            <ul className="text-sm">
              {item.instances.map((i) => (
                <li key={i.name}>
                  <span className="font-mono">{i.name}</span> at {i.address}
                  {i.healthy === undefined ? '' : i.healthy ? ' — healthy' : ' — not healthy'}
                </li>
              ))}
            </ul>
          )}
        </Section>
      ) : (
        <Section title={item.kind === 'services' ? 'Workloads behind it' : 'Workloads'}>
          <Names kind="workloads" namespace={item.namespace} names={item.workloads} />
        </Section>
      )}
      {item.kind !== 'services' ? (
        <Section title="Services">
          <Names kind="services" namespace={item.namespace} names={item.services} />
        </Section>
      ) : null}
      <Section title="Istio config">
        <ConfigList config={item.config} availability={detail.config} />
      </Section>
      <Section title="Neighbours">
        <MiniGraph kind={item.kind} namespace={item.namespace} name={item.name} duration={detail.duration} />
        {neighbours.length === 0 ? (
          <p className="text-sm">No traffic with other items in the last {detail.duration}.</p>
        ) : (
          <ul className="text-sm">
            {neighbours.map((p) => (
              <li key={`${p.kind}/${p.namespace}/${p.name}`}>
                {peers.inbound.includes(p) ? 'from ' : 'to '}
                <Link
                  href={itemHref(p.kind as 'workloads', p.namespace as string, p.name)}
                  className={LINK_CLASS}
                >
                  {p.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
