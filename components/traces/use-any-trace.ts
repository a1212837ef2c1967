'use client';
// One trace by id for views that take either kind: opened from a file (the tab's memory) or from the backend.
import { useQuery } from '@tanstack/react-query';
import type { Trace } from '@/lib/jaeger/model';
import { traceOptions } from '@/lib/queries/traces';
import { getLocalTrace } from './local-traces';

export type AnyTrace = { trace: Trace } | { error: Error } | { pending: true };

export function useAnyTrace(traceId: string): AnyTrace {
  const local = traceId === '' ? undefined : getLocalTrace(traceId);
  const query = useQuery({ ...traceOptions(traceId), enabled: traceId !== '' && local === undefined });
  if (local) return { trace: local.trace };
  if (query.data) return { trace: query.data.trace };
  if (query.error) return { error: query.error };
  return { pending: true };
}
