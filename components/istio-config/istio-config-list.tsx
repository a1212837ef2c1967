'use client';
// Istio Config: every resource the control plane holds, with its validity; filter by kind, namespace and
// validity, kept in the URL so that a filtered list can be shared.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { QueryView } from '@/components/ui/query-view';
import { SelectField } from '@/components/ui/select-field';
import { type Column, Table } from '@/components/ui/table';
import { detailHref } from '@/lib/istio-config/kinds';
import { MESH_KINDS, type MeshKindName } from '@/lib/mesh-config/kinds';
import { istioConfigOptions } from '@/lib/queries/istio-config';
import {
  type ListState,
  namespacesOf,
  type Row,
  readListState,
  rowsOf,
  VALIDITIES,
  writeListState,
} from './list-state';
import { ValidityBadge } from './validity-badge';

const ANY = '';

const columns: Column<Row>[] = [
  {
    header: 'Name',
    cell: (r) => (
      <Link
        className="text-sky-800 underline underline-offset-2 dark:text-sky-300"
        href={detailHref(r.resource.kind, r.namespace, r.resource.metadata.name)}
      >
        {r.resource.metadata.name}
      </Link>
    ),
  },
  { header: 'Namespace', cell: (r) => r.namespace },
  { header: 'Kind', cell: (r) => r.resource.kind },
  { header: 'Validity', cell: (r) => <ValidityBadge validity={r.validity} count={r.findings.length} /> },
  {
    header: 'Findings',
    cell: (r) => (
      <ul className="text-xs">
        {r.findings.map((f) => (
          <li key={`${f.code}-${f.path}`}>
            <span className="font-mono">{f.code}</span> {f.message}
          </li>
        ))}
      </ul>
    ),
  },
];

export function IstioConfigList() {
  const query = useQuery(istioConfigOptions());
  const router = useRouter();
  const pathname = usePathname();
  const state = readListState(new URLSearchParams(useSearchParams().toString()));
  const set = (patch: Partial<ListState>) =>
    router.replace(`${pathname}${writeListState({ ...state, ...patch })}`);
  return (
    <div className="space-y-3 p-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Istio Config</h1>
        <Link
          href={`/istio/new${state.namespace ? `?namespace=${encodeURIComponent(state.namespace)}` : ''}`}
          className="ml-auto rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Create resource
        </Link>
      </div>
      <QueryView query={query} loading="Loading the mesh configuration…" failed="Configuration unavailable">
        {(data) => {
          const rows = rowsOf(data.items, data.validations, state);
          return (
            <>
              <fieldset className="flex flex-wrap gap-3">
                <legend className="sr-only">Filters</legend>
                <SelectField
                  label="Kind"
                  value={state.kind ?? ANY}
                  options={[
                    { value: ANY, label: 'All kinds' },
                    ...MESH_KINDS.map((k) => ({ value: k, label: k })),
                  ]}
                  onChange={(v) => set({ kind: (v || undefined) as MeshKindName | undefined })}
                />
                <SelectField
                  label="Namespace"
                  value={state.namespace ?? ANY}
                  options={[
                    { value: ANY, label: 'All namespaces' },
                    ...namespacesOf(data.items).map((n) => ({ value: n, label: n })),
                  ]}
                  onChange={(v) => set({ namespace: v || undefined })}
                />
                <SelectField
                  label="Validity"
                  value={state.validity ?? ANY}
                  options={[{ value: ANY, label: 'Any' }, ...VALIDITIES.map((v) => ({ value: v, label: v }))]}
                  onChange={(v) => set({ validity: (v || undefined) as ListState['validity'] })}
                />
              </fieldset>
              {data.failures.map((f) => (
                <p key={f.kind} role="alert" className="text-sm text-red-700 dark:text-red-300">
                  {f.kind}: {f.message}
                </p>
              ))}
              <Table
                caption={`${rows.length} of ${data.items.length} resources`}
                columns={columns}
                rows={rows}
                rowKey={(r) => `${r.resource.kind}/${r.namespace}/${r.resource.metadata.name}`}
                rowHeaders
              />
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
