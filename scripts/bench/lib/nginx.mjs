// Debian's nginx as the native reference reverse proxy: one worker, keep-alive to the upstream, no access
// log, run in the foreground from a generated config in a temp dir. Installed with apt-get when missing and
// running as root; otherwise the caller skips it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from './processes.mjs';

function findNginx() {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** The nginx binary, installing Debian's package if possible; `{ skip: reason }` when there is none. */
export function ensureNginx() {
  const found = findNginx();
  if (found) return { bin: found };
  if (process.getuid?.() !== 0) return { skip: 'nginx is not installed and installing it needs root' };
  console.log('nginx not found; installing Debian package nginx-light/nginx with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx'], {
    stdio: 'inherit',
    env,
  });
  const bin = findNginx();
  return install.status === 0 && bin ? { bin } : { skip: 'apt-get could not install nginx' };
}

/**
 * Runs nginx in the foreground from a config in `dir` (created; removed on stop): one worker, no access log,
 * its temp paths in `dir`, and `http` holding the caller's upstreams and servers. nginx prints nothing when
 * it is up: ready when `readyPort` accepts connections.
 */
export async function runNginx(bin, dir, http, readyPort) {
  for (const sub of ['', 'body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
${http}
}
`,
  );
  const test = spawnSync(bin, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', conf], {
    encoding: 'utf8',
  });
  if (test.status !== 0) throw new Error(`nginx config test failed: ${test.stderr}`);
  const proc = await startProcess(
    bin,
    ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'],
    {
      ready: null,
    },
  );
  await waitForPort(readyPort);
  const stop = proc.stop;
  return {
    ...proc,
    async stop() {
      await stop(3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts nginx proxying 127.0.0.1:`listenPort` to 127.0.0.1:`upstreamPort`. */
export async function startNginx(bin, listenPort, upstreamPort) {
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-nginx-'));
  const proc = await runNginx(
    bin,
    dir,
    `  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }`,
    listenPort,
  );
  return { ...proc, port: listenPort };
}

async function waitForPort(port, timeoutMs = 10_000) {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

export { waitForPort };
