'use client';
// The token sign-in form (MESHLENS_AUTH=token): posts the token, and on success returns to `next`.
import { type FormEvent, useId, useState } from 'react';

export function SignInForm({ next }: { next: string }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget).get('token') ?? '');
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/auth/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      if (!res.ok) {
        setError(body.message ?? `Sign-in failed (${res.status}).`);
        return;
      }
      // A full navigation, not router.push: the router may hold the page's earlier answer (a redirect
      // to this sign-in page while reads need a session), and the new cookie must reach the proxy.
      window.location.assign(next);
    } catch {
      setError('The dashboard cannot be reached.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={submit}
      className="flex max-w-sm flex-col gap-3"
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <label htmlFor={`${id}-token`} className="text-sm font-medium">
        Token
      </label>
      <input
        id={`${id}-token`}
        name="token"
        type="password"
        autoComplete="current-password"
        required
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900"
      />
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy}
        className="self-start rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:opacity-50"
      >
        Sign in
      </button>
    </form>
  );
}
