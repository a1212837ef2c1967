// Prometheus' histogram_quantile, over bucket rates already summed by `le`: the same interpolation,
// so that any aggregation of edges (a node's inbound traffic, an injected service) gets exact quantiles.

export interface Bucket {
  le: number;
  /** Cumulative rate of observations ≤ le. */
  count: number;
}

/**
 * The q-quantile (0..1) of a classic histogram, as Prometheus computes it: linear interpolation inside
 * the bucket the rank falls in, the lower bound of the first bucket taken as 0, the upper bound of the
 * highest finite bucket when the rank falls in +Inf. Undefined when there are no observations.
 */
export function histogramQuantile(q: number, byLe: ReadonlyMap<number, number>): number | undefined {
  return histogramQuantiles([q], byLe)[0];
}

/** Several quantiles of one histogram (its buckets sorted once): `histogramQuantile` for each of `qs`. */
export function histogramQuantiles(
  qs: readonly number[],
  byLe: ReadonlyMap<number, number>,
): (number | undefined)[] {
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  return sortedHistogramQuantiles(
    qs,
    sorted.map(([le]) => le),
    sorted.map(([, count]) => count),
  );
}

/** `histogramQuantiles` of buckets already sorted by bound: `les[i]` with cumulative `counts[i]`. */
export function sortedHistogramQuantiles(
  qs: readonly number[],
  les: readonly number[],
  counts: readonly number[],
): (number | undefined)[] {
  const buckets: Bucket[] = les.map((le, i) => ({ le, count: counts[i] as number }));
  if (buckets.length < 2 || buckets[buckets.length - 1]?.le !== Number.POSITIVE_INFINITY) {
    return qs.map(() => undefined);
  }
  // Counts are cumulative; rates of summed series can dip by float noise — keep them monotonic.
  for (let i = 1; i < buckets.length; i++) {
    const prev = buckets[i - 1] as Bucket;
    const cur = buckets[i] as Bucket;
    if (cur.count < prev.count) cur.count = prev.count;
  }
  const total = (buckets[buckets.length - 1] as Bucket).count;
  return qs.map((q) => quantileOfSorted(q, buckets, total));
}

function quantileOfSorted(q: number, buckets: readonly Bucket[], total: number): number | undefined {
  if (Number.isNaN(q) || !(total > 0)) return undefined;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const rank = q * total;
  let i = buckets.findIndex((b) => b.count >= rank);
  if (i === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).le;
  if (i === 0 && (buckets[0] as Bucket).le <= 0) return (buckets[0] as Bucket).le;
  if (i < 0) i = buckets.length - 1;
  const upper = buckets[i] as Bucket;
  const lower = i === 0 ? { le: 0, count: 0 } : (buckets[i - 1] as Bucket);
  const inBucket = upper.count - lower.count;
  if (inBucket <= 0) return upper.le;
  return lower.le + (upper.le - lower.le) * ((rank - lower.count) / inBucket);
}
