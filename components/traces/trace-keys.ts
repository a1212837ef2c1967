// The trace views' react-query keys, in one place; a plain module so that server components (which
// prefetch) and client hooks share them.
export const traceKeys = {
  services: ['traces', 'services'] as const,
  operations: (service: string) => ['traces', 'operations', service] as const,
  search: (query: string) => ['traces', 'search', query] as const,
  trace: (traceId: string) => ['traces', 'trace', traceId] as const,
  failing: (query: string) => ['traces', 'failing', query] as const,
  exemplars: (query: string) => ['traces', 'exemplars', query] as const,
};
