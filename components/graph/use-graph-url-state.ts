'use client';
// The graph page's state in the URL, as a hook: read from the search params, written with `replace`.
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { type GraphViewState, readGraphViewState, writeGraphViewState } from './graph-view-state';

export * from './graph-view-state';

export function useGraphUrlState(): [GraphViewState, (patch: Partial<GraphViewState>) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = useMemo(() => readGraphViewState(new URLSearchParams(params.toString())), [params]);
  const update = useCallback(
    (patch: Partial<GraphViewState>) => {
      const next = writeGraphViewState({ ...state, ...patch }).toString();
      router.replace(next ? `${pathname}?${next}` : pathname, { scroll: false });
    },
    [state, router, pathname],
  );
  return [state, update];
}
