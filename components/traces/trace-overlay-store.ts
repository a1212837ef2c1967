'use client';
// Which trace is overlaid on the service graph: one id shared by the side panel (which sets it) and the
// graph canvas (which draws it), without threading props through the graph's components.
import { useSyncExternalStore } from 'react';

let overlaid: string | undefined;
const listeners = new Set<() => void>();

export function setOverlayTrace(traceId: string | undefined): void {
  if (overlaid === traceId) return;
  overlaid = traceId;
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useOverlayTraceId(): string | undefined {
  return useSyncExternalStore(
    subscribe,
    () => overlaid,
    () => undefined,
  );
}
