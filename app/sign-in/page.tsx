// Sign-in with a token (MESHLENS_AUTH=token). In anonymous mode it says so.
import { SignInForm } from '@/components/auth/sign-in-form';
import { currentUser } from '@/lib/auth/config';
import { safeNextPath } from '@/lib/auth/next-path';
import { readsNeedSession } from '@/lib/auth/settings';

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { mode, user } = await currentUser();
  // Only a page of this dashboard is followed after sign-in, never another site.
  const next = safeNextPath((await searchParams).next);
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 p-6">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {mode === 'anonymous' ? (
        <p>
          Sign-in is off: this dashboard runs anonymous. Set MESHLENS_AUTH=token to require a token for
          changes.
        </p>
      ) : (
        <>
          {user ? <p>Signed in as {user}.</p> : null}
          <p className="text-sm text-slate-600 dark:text-slate-300">
            {readsNeedSession() ? 'This dashboard needs a token.' : 'Changes to the mesh need a token.'} Ask
            your operator for one (the demo accepts the control plane’s token in
            .meshlens/control-plane.token).
          </p>
          <SignInForm next={next} />
        </>
      )}
    </div>
  );
}
