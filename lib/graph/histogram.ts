// Prometheus' histogram_quantile, over bucket rates already summed by `le`: the same interpolation,
// so that any aggregation of edges (a node's inbound traffic, an injected service) gets exact quantiles.

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
  const out: (number | undefined)[] = new Array(qs.length);
  quantilesInto(qs, les, Float64Array.from(counts), les.length, out);
  return out;
}

/**
 * `sortedHistogramQuantiles` on the first `n` buckets of `les` and `counts`, written into `out`, with no
 * allocation (the graph computes it for thousands of nodes and edges). `counts` is made monotonic in place.
 */
export function quantilesInto(
  qs: readonly number[],
  les: ArrayLike<number>,
  counts: Float64Array,
  n: number,
  out: (number | undefined)[],
): void {
  if (n < 2 || les[n - 1] !== Number.POSITIVE_INFINITY) {
    for (let k = 0; k < qs.length; k++) out[k] = undefined;
    return;
  }
  // Counts are cumulative; rates of summed series can dip by float noise — keep them monotonic.
  for (let i = 1; i < n; i++)
    if ((counts[i] as number) < (counts[i - 1] as number)) counts[i] = counts[i - 1] as number;
  const total = counts[n - 1] as number;
  for (let k = 0; k < qs.length; k++) out[k] = quantileOfSorted(qs[k] as number, les, counts, n, total);
}

function quantileOfSorted(
  q: number,
  les: ArrayLike<number>,
  counts: Float64Array,
  n: number,
  total: number,
): number | undefined {
  if (Number.isNaN(q) || !(total > 0)) return undefined;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const rank = q * total;
  let i = 0;
  while (i < n && !((counts[i] as number) >= rank)) i++;
  if (i === n) i = -1;
  if (i === n - 1) return les[n - 2] as number;
  if (i === 0 && (les[0] as number) <= 0) return les[0] as number;
  if (i < 0) i = n - 1;
  const upperLe = les[i] as number;
  const upperCount = counts[i] as number;
  const lowerLe = i === 0 ? 0 : (les[i - 1] as number);
  const lowerCount = i === 0 ? 0 : (counts[i - 1] as number);
  const inBucket = upperCount - lowerCount;
  if (inBucket <= 0) return upperLe;
  return lowerLe + (upperLe - lowerLe) * ((rank - lowerCount) / inBucket);
}
