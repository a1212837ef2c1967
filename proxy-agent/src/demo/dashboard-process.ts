// The demo's dashboard: `next build` once when the sources are newer than the last build, then
// `next start` on loopback, ready when it answers.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessGroup } from './process-group';
import { httpOk, waitUntil } from './readiness';

/**
 * V8 flags of the dashboard's server process, wherever it is started (the demo here, `npm run start:dashboard`
 * in package.json, the benches' `scripts/bench/lib/dashboard.mjs`; a unit test keeps package.json in step).
 * A young generation of up to 64 MB a semi-space (V8's default stops at 16): a graph build at 5,000 workloads
 * allocates ~1 GB of short-lived objects, and with the default most of them were copied out of a full young
 * generation before they died — 40–90 ms less CPU a build in-process (docs/benchmarks.md, graph round 6). V8
 * grows the semi-spaces only under such allocation, so a small mesh's server keeps its size.
 */
export const DASHBOARD_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64'];

/** A cold `next start` on a busy 2-core machine can take a while. */
const DASHBOARD_START_TIMEOUT_MS = 120_000;
/** What a `next build` is made from: a newer file in any of these makes the build stale. */
const DASHBOARD_SOURCES = ['app', 'components', 'lib', 'public', 'next.config.ts', 'package-lock.json'];

/** Newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** A `next build` exists and is newer than every source it was built from. */
export function dashboardBuildIsCurrent(root: string): boolean {
  const built = newestMtime(join(root, '.next', 'BUILD_ID'));
  return built > 0 && DASHBOARD_SOURCES.every((s) => newestMtime(join(root, s)) < built);
}

export async function startDashboard(
  group: ProcessGroup,
  options: { root: string; port: number; env: Record<string, string> },
  log: (line: string) => void,
): Promise<string> {
  const next = join(options.root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!dashboardBuildIsCurrent(options.root)) {
    log('Building the dashboard once (next build)…');
    const started = Date.now();
    const { code, signal } = await group.run({
      name: 'next-build',
      command: process.execPath,
      args: [next, 'build'],
      cwd: options.root,
    });
    if (code !== 0) {
      const how = signal ? `was stopped by ${signal}` : `failed (exit code ${code})`;
      throw new Error(`next build ${how}; see ${group.logFile('next-build')}`);
    }
    log(`Dashboard built in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
  group.start({
    name: 'dashboard',
    command: process.execPath,
    args: [...DASHBOARD_NODE_ARGS, next, 'start', '--port', String(options.port), '--hostname', '127.0.0.1'],
    env: options.env,
    cwd: options.root,
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitUntil('dashboard', httpOk(url), DASHBOARD_START_TIMEOUT_MS);
  return url;
}
