'use client';
// Ends the session and reloads the page's server state.
import { useRouter } from 'next/navigation';

export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800"
      onClick={async () => {
        await fetch('/api/auth/session', { method: 'DELETE' }).catch(() => undefined);
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
