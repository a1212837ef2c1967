// The app header: product name, main navigation (Graph / Traces / Services), theme switch.
import Image from 'next/image';
import Link from 'next/link';
import { NavLink } from './nav-link';
import { ThemeToggle } from './theme-toggle';
import { UserIndicator } from './user-indicator';

export function Header() {
  return (
    <header className="flex items-center gap-6 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      <Link href="/graph" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
        {/* An SVG from public/ as it is: nothing for the image optimiser to do. */}
        <Image src="/icon.svg" alt="" width={24} height={24} unoptimized priority />
        Meshlens
      </Link>
      <nav aria-label="Main" className="flex gap-1">
        <NavLink href="/graph">Graph</NavLink>
        <NavLink href="/traces">Traces</NavLink>
        <NavLink href="/services">Services</NavLink>
      </nav>
      <div className="ml-auto flex items-center gap-3">
        <UserIndicator />
        <ThemeToggle />
      </div>
    </header>
  );
}
