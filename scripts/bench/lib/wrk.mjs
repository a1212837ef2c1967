// wrk (Debian's package) as the closed-loop load generator the sidecar issue measures with: one thread,
// keep-alive connections, a fixed duration. Installed with apt-get when missing and running as root;
// otherwise the caller falls back to the project's own load generator (`load.mjs`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function findWrk() {
  for (const candidate of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** The wrk binary, installing Debian's package if possible; `{ skip: reason }` when there is none. */
export function ensureWrk() {
  const found = findWrk();
  if (found) return { bin: found };
  if (process.getuid?.() !== 0) return { skip: 'wrk is not installed and installing it needs root' };
  console.log('wrk not found; installing Debian package wrk with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], {
    stdio: 'inherit',
    env,
  });
  const bin = findWrk();
  return install.status === 0 && bin ? { bin } : { skip: 'apt-get could not install wrk' };
}

const UNIT_MS = { us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1.23ms` → 1.23; `850.00us` → 0.85. */
function durationMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : Number.NaN;
}

/** Reads wrk's `--latency` report: requests, req/s, p50/p99, socket errors and non-2xx/3xx answers. */
export function parseWrk(out) {
  const num = (re) => Number(re.exec(out)?.[1] ?? Number.NaN);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    completed: num(/(\d+) requests in /),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: durationMs(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: durationMs(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
  };
}

/** One wrk run: `wrk -t1 -c<connections> -d<seconds>s --latency [-H Host:…] http://127.0.0.1:<port><path>`. */
export function runWrk(bin, { port, host, path = '/', connections = 32, seconds = 5, threads = 1 }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (host !== undefined) args.push('-H', `Host: ${host}`);
  args.push(`http://127.0.0.1:${port}${path}`);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const result = parseWrk(out);
      if (code !== 0 || !Number.isFinite(result.completed))
        reject(new Error(`wrk ${args.join(' ')} exited with ${code}:\n${out}`));
      else resolve(result);
    });
  });
}
