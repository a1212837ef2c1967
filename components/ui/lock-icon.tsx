// A padlock drawn as SVG, closed or open: emoji locks render as empty boxes where no emoji font is
// installed (Debian's default), so the dashboard draws its own. Decorative: the words beside it say it.
export function LockIcon({ open = false, className = '' }: { open?: boolean; className?: string }) {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 16 16"
      aria-hidden="true"
      data-lock={open ? 'open' : 'closed'}
      className={`inline-block align-[-1px] ${className}`}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
    >
      <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" stroke="none" />
      <path d={open ? 'M5 7V4.5a3 3 0 0 1 5.8-1' : 'M5 7V4.5a3 3 0 0 1 6 0V7'} strokeLinecap="round" />
    </svg>
  );
}
