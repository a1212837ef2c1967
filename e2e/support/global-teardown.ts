// Stops the demo and the token-mode dashboard started by the global setup (SIGINT, as Ctrl-C) and
// waits until they have exited.
import { rmSync } from 'node:fs';
import { DEMO_ENV_VAR, demoEnv } from './demo-env';

export default async function globalTeardown(): Promise<void> {
  if (!process.env[DEMO_ENV_VAR]) return;
  const { pid, dataDir, tokenDashboard } = demoEnv();
  await Promise.all([stop(tokenDashboard.pid), stop(pid)]);
  rmSync(dataDir, { recursive: true, force: true });
}

async function stop(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (alive()) process.kill(pid, 'SIGKILL');
}
