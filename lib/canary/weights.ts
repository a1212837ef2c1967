// Canary weight arithmetic: a split of integer weights over versions that always sums to 100.
// Moving one version rebalances the unlocked others proportionally (largest-remainder rounding).

export const TOTAL = 100;

export interface Share {
  /** The subset (version) the weight routes to. */
  version: string;
  /** Integer percent, 0–100. */
  weight: number;
}

export type Split = readonly Share[];

/**
 * Integers summing to `total`, proportional to `values` (Hamilton's largest-remainder method).
 * All-zero values share `total` equally. Ties go to the earlier value, so results are stable.
 */
export function largestRemainder(values: readonly number[], total: number): number[] {
  if (values.length === 0) return [];
  const clean = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const sum = clean.reduce((a, b) => a + b, 0);
  const exact = sum === 0 ? clean.map(() => total / clean.length) : clean.map((v) => (v / sum) * total);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, rest: e - Math.floor(e) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left--;
  }
  return floors;
}

export function sumOf(split: Split): number {
  return split.reduce((s, x) => s + x.weight, 0);
}

/** Every weight an integer in 0–100, at least one version, and the sum exactly 100. */
export function isValidSplit(split: Split): boolean {
  return (
    split.length > 0 &&
    split.every((s) => Number.isInteger(s.weight) && s.weight >= 0 && s.weight <= TOTAL) &&
    sumOf(split) === TOTAL &&
    new Set(split.map((s) => s.version)).size === split.length
  );
}

/** Any weights (missing, fractional, not summing to 100) scaled to a valid split over the same versions. */
export function normalize(split: Split): Split {
  const ints = largestRemainder(
    split.map((s) => s.weight),
    TOTAL,
  );
  return split.map((s, i) => ({ version: s.version, weight: ints[i] as number }));
}

/** The highest weight `version` can take: 100 less the versions locked at their weight. */
export function maxWeight(split: Split, locked: ReadonlySet<string>, version: string): number {
  const lockedSum = split
    .filter((s) => s.version !== version && locked.has(s.version))
    .reduce((a, s) => a + s.weight, 0);
  return TOTAL - lockedSum;
}

/** Whether `version` can be moved at all: it is unlocked and some other unlocked version can absorb the change. */
export function isMovable(split: Split, locked: ReadonlySet<string>, version: string): boolean {
  return !locked.has(version) && split.some((s) => s.version !== version && !locked.has(s.version));
}

/**
 * Sets `version` to `value` (rounded, clamped to what the locks leave) and gives the rest to the other
 * unlocked versions in proportion to their current weights (equally when they are all at 0). Locked
 * versions keep their weight. A locked or unknown version, or one no other version can balance, is
 * left as it is.
 */
export function setWeight(split: Split, locked: ReadonlySet<string>, version: string, value: number): Split {
  if (!split.some((s) => s.version === version) || !isMovable(split, locked, version)) return split;
  const max = maxWeight(split, locked, version);
  const target = Math.min(max, Math.max(0, Math.round(Number.isFinite(value) ? value : 0)));
  const free = split.filter((s) => s.version !== version && !locked.has(s.version));
  const shares = largestRemainder(
    free.map((s) => s.weight),
    max - target,
  );
  const byVersion = new Map(free.map((s, i) => [s.version, shares[i] as number]));
  return split.map((s) => {
    if (s.version === version) return { version, weight: target };
    const w = byVersion.get(s.version);
    return w === undefined ? s : { version: s.version, weight: w };
  });
}

/** Everything to one version. */
export function allTo(split: Split, version: string): Split {
  return split.map((s) => ({ version: s.version, weight: s.version === version ? TOTAL : 0 }));
}

/** `primary` gets `primaryWeight`, `secondary` the rest, every other version 0. */
export function twoWay(split: Split, primary: string, secondary: string, primaryWeight: number): Split {
  return split.map((s) => ({
    version: s.version,
    weight: s.version === primary ? primaryWeight : s.version === secondary ? TOTAL - primaryWeight : 0,
  }));
}

export interface Preset {
  id: string;
  label: string;
  split: Split;
}

/**
 * The stable version of a split: the one carrying most traffic other than the canary (the first one
 * on a tie), or the first version when nothing else carries traffic.
 */
export function stableVersion(split: Split, canary: string): string | undefined {
  const others = split.filter((s) => s.version !== canary);
  let best = others[0];
  for (const s of others) if (best && s.weight > best.weight) best = s;
  return best?.version;
}

/**
 * Presets for a split: all to each version; 90/10 and 50/50 between the stable version and the canary.
 * The canary is the last version (versions are listed oldest first).
 */
export function presetsFor(split: Split): Preset[] {
  const presets: Preset[] = split.map((s) => ({
    id: `all-${s.version}`,
    label: `All to ${s.version}`,
    split: allTo(split, s.version),
  }));
  const canary = split[split.length - 1]?.version;
  const stable = canary === undefined ? undefined : stableVersion(split, canary);
  if (canary !== undefined && stable !== undefined) {
    presets.push(
      { id: '90-10', label: `90 ${stable} / 10 ${canary}`, split: twoWay(split, stable, canary, 90) },
      { id: '50-50', label: `50 ${stable} / 50 ${canary}`, split: twoWay(split, stable, canary, 50) },
    );
  }
  return presets;
}

export function sameSplit(a: Split, b: Split): boolean {
  return a.length === b.length && a.every((s, i) => s.version === b[i]?.version && s.weight === b[i]?.weight);
}

/** `v1 50 · v2 30 · v3 20`, for messages and history. */
export function formatSplit(split: Split): string {
  return split.map((s) => `${s.version} ${s.weight}`).join(' · ');
}
