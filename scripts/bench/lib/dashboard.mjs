// The built dashboard (`next start`) for a benchmark: built first when no build is there or it is stale,
// started on a free port with the bench's environment, stopped with the `next-server` child it forks (which
// outlives a stopped parent).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtAgent, childrenOf, freePort, ROOT, startProcess } from './processes.mjs';

const run = promisify(execFile);

/**
 * `next build` when there is no build or it is older than a source (the demo's own check, from the built agent,
 * so a bench never times a stale build of a checkout whose sources changed since).
 */
export async function ensureDashboardBuild() {
  const { dashboardBuildIsCurrent } = await builtAgent('dashboardBuildIsCurrent');
  if (dashboardBuildIsCurrent(ROOT)) return;
  console.log('building the dashboard (next build: none yet, or older than its sources)…');
  await run('npx', ['next', 'build'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * `next start` on a free port, with the V8 flags the demo and `npm run start:dashboard` give it
 * (`DASHBOARD_NODE_ARGS`, from the built agent). `nodeArgs` go after them, before Next's script (a forked server inherits them, e.g.
 * `--cpu-prof`); `stopSignal` is what the server gets first (SIGINT makes Next exit through process.exit,
 * which is when --cpu-prof writes its profile).
 */
export async function startDashboard({ env, nodeArgs = [], stopSignal = 'SIGTERM' }) {
  const port = await freePort();
  const { DASHBOARD_NODE_ARGS } = await builtAgent('DASHBOARD_NODE_ARGS');
  const web = await startProcess(
    process.execPath,
    [
      ...DASHBOARD_NODE_ARGS,
      // An A/B of the flags in one run: V8 takes the last of a flag given twice (e.g. `--max-semi-space-size=16`,
      // V8's default, against DASHBOARD_NODE_ARGS' 64).
      ...(process.env.MESHLENS_BENCH_DASHBOARD_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      ...nodeArgs,
      join(ROOT, 'node_modules/next/dist/bin/next'),
      'start',
      '--hostname',
      '127.0.0.1',
      '-p',
      String(port),
    ],
    { ready: /Ready in/, timeoutMs: 60_000, env },
  );
  return {
    base: `http://127.0.0.1:${port}`,
    pid: web.pid,
    async stop() {
      const children = childrenOf(web.pid);
      for (const pid of children) {
        try {
          process.kill(pid, stopSignal);
        } catch {
          // already gone
        }
      }
      await web.stop();
    },
  };
}
