// The app header: product name, main navigation (Kiali's sections: Overview, Graph, Applications,
// Workloads, Services, Istio Config, Traces), theme switch.
import Image from 'next/image';
import Link from 'next/link';
import { NavLink } from './nav-link';
import { ThemeToggle } from './theme-toggle';
import { UserIndicator } from './user-indicator';

const SECTIONS = [
  { href: '/overview', label: 'Overview' },
  { href: '/graph', label: 'Graph' },
  { href: '/applications', label: 'Applications' },
  { href: '/workloads', label: 'Workloads' },
  { href: '/services', label: 'Services' },
  { href: '/istio', label: 'Istio Config' },
  { href: '/traces', label: 'Traces' },
] as const;

export function Header() {
  return (
    <header className="flex flex-wrap items-center gap-x-6 gap-y-1 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      <Link href="/overview" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
        {/* An SVG from public/ as it is: nothing for the image optimiser to do. */}
        <Image src="/icon.svg" alt="" width={24} height={24} unoptimized priority />
        Meshlens
      </Link>
      <nav aria-label="Main" className="flex flex-wrap gap-1">
        {SECTIONS.map((s) => (
          <NavLink key={s.href} href={s.href}>
            {s.label}
          </NavLink>
        ))}
      </nav>
      <div className="ml-auto flex items-center gap-3">
        <UserIndicator />
        <ThemeToggle />
      </div>
    </header>
  );
}
