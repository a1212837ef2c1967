// A graph pinned at a moment is not polled, so a latency reading that was still under way when it was answered
// (the server answers without it past its wait, and keeps the reading when it lands) would only be seen on a
// reload: the page asks that graph again a few times, spaced out, until its answer has latency.
import type { Graph } from '@/lib/graph/types';

/** How long after each answer without latency the pinned graph is asked again: three more asks at most. */
export const PINNED_LATENCY_ASKS_MS: readonly number[] = [5_000, 10_000, 20_000];

/**
 * When to ask a pinned graph again (`false`: not again): its answer lacks latency it asked for
 * (`latency_unavailable`: still being read, too many reads under way, or a failed read in its back-off), and it
 * has been answered `answers` times, fewer than `PINNED_LATENCY_ASKS_MS` allows.
 */
export function pinnedLatencyAskMs(graph: Graph | undefined, answers: number): number | false {
  if (!graph || graph.latency === 'omitted') return false;
  if (!graph.warnings.some((w) => w.code === 'latency_unavailable')) return false;
  return PINNED_LATENCY_ASKS_MS[answers - 1] ?? false;
}
