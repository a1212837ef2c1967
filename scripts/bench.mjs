// `npm run bench [-- <section>...]`: runs the benchmark sections, each a module `scripts/bench/<section>.mjs`
// whose default export is `async (args: string[]) => void` and prints its own figures with PASS/MISS
// marks. Helpers shared by sections live in `scripts/bench/lib/` (not sections). Benchmarks are measurements,
// never tests: a MISS does not fail the run; a section that throws does (exit code 1, after the others ran).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SECTIONS_DIR = fileURLToPath(new URL('./bench/', import.meta.url));

const available = readdirSync(SECTIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.mjs'))
  .map((entry) => entry.name.slice(0, -'.mjs'.length))
  .sort();

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    `usage: node scripts/bench.mjs [section...] [-- section args]\nsections: ${available.join(', ')}`,
  );
  process.exit(0);
}
const dashdash = argv.indexOf('--');
const requested = dashdash < 0 ? argv : argv.slice(0, dashdash);
const sectionArgs = dashdash < 0 ? [] : argv.slice(dashdash + 1);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const failed = [];
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n=== bench: ${name} ===`);
  const started = Date.now();
  try {
    const mod = await import(pathToFileURL(`${SECTIONS_DIR}${name}.mjs`).href);
    if (typeof mod.default !== 'function') throw new Error(`scripts/bench/${name}.mjs has no default export`);
    await mod.default(sectionArgs);
  } catch (err) {
    failed.push(name);
    console.error(`bench section ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  }
  console.log(`=== ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
}
if (failed.length > 0) {
  console.error(`\nfailed sections: ${failed.join(', ')}`);
  process.exitCode = 1;
}
