// The seeded PRNG the benches draw their meshes and traces with: the one in lib/random/prng.mjs, which the
// unit tests' samples use too.
export { prng } from '../../../lib/random/prng.mjs';
