// "Compare" over the search results: enabled once two traces are ticked, it opens the trace diff of them.
import Link from 'next/link';

export function compareHref(a: string, b: string): string {
  return `/traces/compare?${new URLSearchParams({ a, b })}`;
}

export function CompareButton({ picked }: { picked: readonly string[] }) {
  const [a, b] = picked;
  const cls =
    'rounded border border-slate-300 px-2 py-0.5 text-xs focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700';
  if (a === undefined || b === undefined) {
    return (
      <span className="text-xs text-slate-600 dark:text-slate-300">
        {picked.length === 0 ? 'Tick two traces to compare them' : 'Tick one more trace to compare'}
      </span>
    );
  }
  return (
    <Link href={compareHref(a, b)} className={`${cls} bg-sky-700 text-white hover:bg-sky-800`}>
      Compare
    </Link>
  );
}
