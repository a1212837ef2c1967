// A wide table's horizontal scroll box, reachable by keyboard (focusable, named) so it can be scrolled
// without a mouse (axe: scrollable-region-focusable).
import type { ReactNode } from 'react';

export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <section
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard (WCAG 2.1.1)
      tabIndex={0}
      className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-sky-500"
    >
      {children}
    </section>
  );
}
