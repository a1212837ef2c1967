// /services: the mesh's services, their versions and configured split; those with more than one
// version link to their traffic-shifting page.
import Link from 'next/link';
import { Table } from '@/components/ui/table';
import { listServices } from '@/lib/canary/read-state';
import { formatSplit } from '@/lib/canary/weights';

export const dynamic = 'force-dynamic';

export default async function ServicesPage() {
  const loaded = await listServices();
  return (
    <div className="mx-auto flex w-full max-w-5xl flex-col gap-4 p-6">
      <h1 className="text-xl font-semibold">Services</h1>
      {!loaded.ok ? (
        <p
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          <strong>The mesh configuration cannot be read.</strong> {loaded.message}
        </p>
      ) : (
        <>
          {loaded.value.warnings.map((w) => (
            <p key={w} role="status" className="text-sm text-amber-800 dark:text-amber-200">
              {w}
            </p>
          ))}
          <Table
            rows={loaded.value.services}
            rowKey={(s) => s.service.host}
            rowHeaders
            columns={[
              {
                header: 'Service',
                cell: ({ service }) => (
                  <Link
                    href={`/services/${encodeURIComponent(service.name)}?namespace=${encodeURIComponent(service.namespace)}`}
                    className="text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300"
                  >
                    {service.name}
                  </Link>
                ),
              },
              { header: 'Namespace', cell: ({ service }) => service.namespace },
              {
                header: 'Versions',
                className: 'font-mono',
                cell: ({ versions }) => versions.join(', ') || '—',
              },
              {
                header: 'Configured split',
                className: 'font-mono',
                cell: ({ split, versions }) =>
                  split && versions.length > 1
                    ? formatSplit(split)
                    : versions.length > 1
                      ? 'not routed by weight'
                      : '—',
              },
            ]}
          />
          {loaded.value.services.length === 0 ? <p>No services are configured.</p> : null}
        </>
      )}
    </div>
  );
}
