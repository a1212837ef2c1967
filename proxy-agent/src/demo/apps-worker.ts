// The demo's applications, all in one worker thread of the supervisor's process: each app still listens
// on its own port behind its own sidecar process, as in a real mesh, but they share one V8 isolate
// instead of a Node process each (~45 MB of baseline each; docs/benchmarks-demo.md). A failure in here
// ends the worker, not the supervisor, which then stops the demo cleanly (apps-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { AppHandle } from './app-handle';
import { startRole } from './app-roles';
import { type KnobSource, type Knobs, pollKnobs } from './knobs';
import { type Role, SERVICES } from './topology';

export interface AppsConfig {
  /** Where the knobs are read (every app of a role follows its ServiceEntry's annotation). */
  knobs: KnobSource;
  /** The unregistered host's port (details' best-effort call). */
  outsidePort?: number;
}

export interface AppStart {
  role: Role;
  version: string;
  instance: string;
  port: number;
  outboundPort: number;
}

export type AppsRequest = { type: 'start'; id: number; app: AppStart } | { type: 'stop' };

export type AppsMessage =
  | { type: 'ready' }
  | { type: 'started'; id: number; port: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'stopped' };

const config = workerData as AppsConfig;
const port = parentPort;
if (!port) throw new Error('apps-worker runs as a worker thread');
const send = (m: AppsMessage) => port.postMessage(m);

const apps: AppHandle[] = [];
const knobs: Knobs = await pollKnobs(config.knobs, Object.keys(SERVICES) as Role[]);

async function start(id: number, app: AppStart): Promise<void> {
  try {
    const handle = await startRole({
      ...app,
      ...(config.outsidePort !== undefined ? { outsidePort: config.outsidePort } : {}),
      behaviour: () => knobs.behaviourOf(app.role),
    });
    apps.push(handle);
    send({ type: 'started', id, port: handle.port });
  } catch (err) {
    send({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
  }
}

async function stop(): Promise<void> {
  knobs.close();
  await Promise.all(apps.splice(0).map((a) => a.close().catch(() => undefined)));
}

port.on('message', (m: AppsRequest) => {
  if (m.type === 'start') void start(m.id, m.app);
  else if (m.type === 'stop') void stop().then(() => send({ type: 'stopped' }));
});
send({ type: 'ready' });
