// Prometheus' histogram_quantile, over bucket rates already summed by `le`: the same interpolation,
// so that any aggregation of edges (a node's inbound traffic, an injected service) gets exact quantiles.

export interface Bucket {
  le: number;
  /** Cumulative rate of observations ≤ le. */
  count: number;
}

/** Adds bucket sets bucket by bucket (same `le`). */
export function mergeBuckets(into: Map<number, number>, buckets: Iterable<Bucket>): Map<number, number> {
  for (const b of buckets) into.set(b.le, (into.get(b.le) ?? 0) + b.count);
  return into;
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
  const buckets: Bucket[] = [];
  for (const [le, count] of byLe) buckets.push({ le, count });
  buckets.sort((a, b) => a.le - b.le);
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
