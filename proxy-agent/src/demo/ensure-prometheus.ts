// The demo needs Debian's real `prometheus` binary. Missing: install it where we may (Debian/Ubuntu as
// root or with passwordless sudo), saying so; elsewhere stop with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { INSTALL_HINT } from '../prometheus';

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function isDebianLike(): boolean {
  if (!existsSync('/etc/os-release')) return false;
  const release = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release) && onPath('apt-get');
}

export function installHint(): string {
  return process.platform === 'darwin' ? 'brew install prometheus' : INSTALL_HINT;
}

/** Resolves when `prometheus` is on PATH; throws an error whose message is the command to run. */
export function ensurePrometheus(log: (line: string) => void): void {
  if (onPath('prometheus')) return;
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (isDebianLike() && (root || sudo)) {
    log('Prometheus is not installed; installing it: apt-get install --no-install-recommends prometheus');
    const run = (command: string, ...args: string[]) => {
      const [file, argv] = root ? [command, args] : ['sudo', ['-n', command, ...args]];
      return spawnSync(file, argv, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    };
    run('apt-get', 'update');
    run('apt-get', 'install', '-y', '--no-install-recommends', 'prometheus');
    // Debian starts the packaged service on :9090; the demo runs its own.
    run('systemctl', 'stop', 'prometheus');
    if (onPath('prometheus')) return;
  }
  throw new Error(
    `the demo needs Prometheus and it is not installed. Install it with:\n\n    ${installHint()}\n`,
  );
}
