'use client';
// The detail of one Istio resource (Kiali's `/namespaces/{ns}/istio/{kind}/{name}`): its findings
// against the mesh and the YAML editor.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { QueryView } from '@/components/ui/query-view';
import type { MeshKindName } from '@/lib/mesh-config/kinds';
import { validationsOf, validityOf } from '@/lib/mesh-config/validations';
import { istioConfigOptions, istioResourceOptions } from '@/lib/queries/istio-config';
import { FindingList } from './finding-list';
import { ResourceEditor } from './resource-editor';
import { ValidityBadge } from './validity-badge';

export function ResourceDetail({
  kind,
  namespace,
  name,
}: {
  kind: MeshKindName;
  namespace: string;
  name: string;
}) {
  const resource = useQuery(istioResourceOptions(kind, namespace, name));
  const mesh = useQuery(istioConfigOptions());
  const findings = validationsOf(mesh.data?.validations ?? [], { kind, namespace, name });
  return (
    <div className="space-y-3 p-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link className="text-sky-800 underline underline-offset-2 dark:text-sky-300" href="/istio">
          Istio Config
        </Link>{' '}
        /{' '}
        <Link
          className="text-sky-800 underline underline-offset-2 dark:text-sky-300"
          href={`/istio?namespace=${encodeURIComponent(namespace)}`}
        >
          {namespace}
        </Link>{' '}
        / {kind}
      </nav>
      <h1 className="flex items-center gap-2 text-xl font-semibold">
        {kind} {name} {mesh.data ? <ValidityBadge validity={validityOf(findings)} /> : null}
      </h1>
      <section aria-label="Validation" className="space-y-1">
        <h2 className="font-medium">Validation</h2>
        {mesh.data ? <FindingList findings={findings} /> : null}
      </section>
      <section aria-label="YAML" className="space-y-1">
        <h2 className="font-medium">YAML</h2>
        <QueryView query={resource} loading="Loading the resource…" failed="Resource unavailable">
          {(data) => (
            <ResourceEditor
              key={`${kind}/${namespace}/${name}`}
              loaded={data.resource}
              others={mesh.data?.items ?? []}
            />
          )}
        </QueryView>
      </section>
    </div>
  );
}
