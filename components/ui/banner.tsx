// A message strip: errors (backend down) and warnings (partial data), announced to screen readers.
import type { ReactNode } from 'react';

export function Banner({
  tone,
  title,
  children,
}: {
  tone: 'error' | 'warning';
  title: string;
  children?: ReactNode;
}) {
  const colours =
    tone === 'error'
      ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100'
      : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100';
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={`border-b px-4 py-2 text-sm ${colours}`}>
      <strong className="font-semibold">{title}</strong>
      {children ? <span className="ml-2">{children}</span> : null}
    </div>
  );
}
