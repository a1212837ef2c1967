// mulberry32: a small seeded PRNG, so that a generated mesh or trace is the same on every run (the unit tests'
// samples, the benches' meshes), and a run that finds something can be repeated with its seed. Plain
// JavaScript (types in prng.d.mts) so that the benches import it as it is, without a build.
/** @param {number} seed */
export function prng(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
