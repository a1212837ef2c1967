// /services: the mesh's services, their versions and configured split; those with more than one
// version link to their traffic-shifting page.
import Link from 'next/link';
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
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 text-left dark:border-slate-800">
                <th scope="col" className="py-2 font-medium">
                  Service
                </th>
                <th scope="col" className="font-medium">
                  Namespace
                </th>
                <th scope="col" className="font-medium">
                  Versions
                </th>
                <th scope="col" className="font-medium">
                  Configured split
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.value.services.map(({ service, versions, split }) => (
                <tr key={service.host} className="border-b border-slate-100 dark:border-slate-900">
                  <th scope="row" className="py-2 text-left font-medium">
                    <Link
                      href={`/services/${encodeURIComponent(service.name)}?namespace=${encodeURIComponent(service.namespace)}`}
                      className="text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300"
                    >
                      {service.name}
                    </Link>
                  </th>
                  <td>{service.namespace}</td>
                  <td className="font-mono">{versions.join(', ') || '—'}</td>
                  <td className="font-mono">
                    {split && versions.length > 1
                      ? formatSplit(split)
                      : versions.length > 1
                        ? 'not routed by weight'
                        : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.value.services.length === 0 ? <p>No services are configured.</p> : null}
        </>
      )}
    </div>
  );
}
