// Before the tests: the Debian packages they run for real (prometheus, chromium, etcd, kubectl). Missing ones are
// installed with apt-get where we may (root or passwordless sudo on Debian/Ubuntu), saying so;
// elsewhere we stop with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { binary: 'prometheus', pkg: 'prometheus' },
  { binary: 'promtool', pkg: 'prometheus' },
  { binary: 'chromium', pkg: 'chromium' },
  { binary: 'etcd', pkg: 'etcd-server' },
  // Debian's kubernetes-client conflicts with a kubectl installed otherwise: only when none is on PATH.
  { binary: 'kubectl', pkg: 'kubernetes-client' },
];

const onPath = (b) => spawnSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(NEEDED.filter((n) => !onPath(n.binary)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const root = process.getuid?.() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!existsSync('/usr/bin/apt-get') || !(root || sudo)) {
  console.error(`The tests need ${missing.join(' and ')}. Install with:\n\n    sudo ${command}\n`);
  process.exit(1);
}
console.log(`Installing what the tests need: ${command}`);
const run = (args) => {
  const [file, argv] = root ? [args[0], args.slice(1)] : ['sudo', ['-n', ...args]];
  return spawnSync(file, argv, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status;
};
if (run(['apt-get', 'update']) !== 0 || run(command.split(' ')) !== 0) process.exit(1);
// Debian's package starts a Prometheus service on :9090; the tests start their own on free ports.
run(['systemctl', 'stop', 'prometheus']);
// Debian's etcd-server starts a member on :2379; the tests start their own clusters on free ports.
if (missing.includes('etcd-server')) run(['systemctl', 'stop', 'etcd']);
