// The graph bench's verdict on one API case against the ≤ 1.5× target (issue 18): each measured request divided by
// its own reads, sent straight to Prometheus at once right after it (the paired floor, docs/benchmarks.md round 15),
// and the verdict taken from the median of those ratios. Prometheus' own time for the same reads moves ±150 ms from
// minute to minute, so a request compared with reads measured at another moment (the named floors at the run's
// start, or the reads at once after all the case's requests) can pass or miss by that alone (round 17).

/** The value at nearest rank `q` (0–1) of ascending `sorted`, between its two neighbours when it falls between. */
function at(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/**
 * `pairs`: `{ request, reads }` in ms, one a measured request. The median ratio (of an even count, the mean of the
 * two middle ones), its quartiles and range, how many pairs are within `target`, and the verdict: the median within
 * the target (at least half the pairs are).
 */
export function pairedVerdict(pairs, target) {
  if (pairs.length === 0) return undefined;
  const ratios = pairs.map((p) => p.request / p.reads);
  const s = [...ratios].sort((a, b) => a - b);
  const median = at(s, 0.5);
  return {
    ratios,
    median,
    q1: at(s, 0.25),
    q3: at(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
    within: ratios.filter((r) => r <= target).length,
    ok: median <= target,
  };
}

/** `1.49× (middle half 1.40–1.55, all 1.22–1.95; 6 of 9 within 1.5×)` */
export function formatPaired(v, target) {
  const x = (r) => r.toFixed(2);
  return (
    `${x(v.median)}× (middle half ${x(v.q1)}–${x(v.q3)}, all ${x(v.min)}–${x(v.max)}; ` +
    `${v.within} of ${v.ratios.length} within ${target}×)`
  );
}
