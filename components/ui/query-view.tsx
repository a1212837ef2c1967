// What a panel shows for a query: a line while it loads, the failure in words, else its data.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

export function QueryView<T>({
  query,
  loading,
  failed,
  children,
}: {
  query: Pick<UseQueryResult<T>, 'isPending' | 'isError' | 'error' | 'data'>;
  /** Shown while nothing has arrived: `Loading time series…` */
  loading: string;
  /** Put before the error's message: `Time series unavailable` */
  failed: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <p className="text-xs text-slate-600 dark:text-slate-400">{loading}</p>;
  if (query.isError || query.data === undefined)
    return (
      <p role="alert" className="text-xs text-red-700 dark:text-red-300">
        {failed}: {query.error?.message ?? 'no answer'}
      </p>
    );
  return children(query.data);
}
