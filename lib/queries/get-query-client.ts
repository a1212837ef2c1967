// One QueryClient per browser tab, a fresh one per server request (TanStack's App Router pattern).
import { isServer, QueryClient } from '@tanstack/react-query';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        // Polling stops while the tab is hidden; the interval itself is chosen per view.
        refetchIntervalInBackground: false,
        // A server page's prefetch does not wait to retry: a failed one is left to the page's own fetch.
        retry: isServer ? false : 1,
      },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
