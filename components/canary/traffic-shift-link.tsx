// A link to a service's traffic-shifting page, for places with no room for the whole panel (the
// graph's side panel).
import Link from 'next/link';

export function TrafficShiftLink({ service, namespace }: { service: string; namespace: string }) {
  return (
    <Link
      href={`/services/${encodeURIComponent(service)}?namespace=${encodeURIComponent(namespace)}`}
      className="text-sm font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300"
    >
      Shift traffic…
    </Link>
  );
}
