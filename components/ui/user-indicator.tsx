// Who the dashboard acts for, in the header: "anonymous" when sign-in is off (as Kiali shows it),
// else the signed-in user with Sign out, or a Sign in link.
import Link from 'next/link';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { currentUser } from '@/lib/auth/config';

export async function UserIndicator() {
  const { mode, user } = await currentUser();
  if (mode === 'anonymous') {
    return (
      <span
        className="text-sm text-slate-600 dark:text-slate-300"
        title="Sign-in is off (MESHLENS_AUTH is not token)"
      >
        <span className="sr-only">User: </span>anonymous
      </span>
    );
  }
  if (user === null) {
    return (
      <Link
        href="/sign-in"
        className="rounded-md px-2 py-1 text-sm font-medium text-sky-700 hover:underline dark:text-sky-300"
      >
        Sign in
      </Link>
    );
  }
  return (
    <span className="flex items-center gap-2 text-sm">
      <span>
        <span className="sr-only">Signed in as </span>
        {user}
      </span>
      <SignOutButton />
    </span>
  );
}
