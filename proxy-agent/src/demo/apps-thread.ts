// The supervisor's side of apps-worker.ts: one worker thread hosting every demo app, with a small young
// generation; starts an app on a given port and answers the port it listens on.
import { Worker } from 'node:worker_threads';
import type { AppStart, AppsConfig, AppsMessage, AppsRequest } from './apps-worker';

const APPS_WORKER = new URL('./apps-worker.js', import.meta.url);
/** The worker's heap: small young generation (RSS), old generation bounded like every demo process. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };
/** How long a stopping worker may take before it is terminated. */
const STOP_GRACE_MS = 5_000;

export interface AppsThread {
  /** Starts one app; rejects with the reason it could not listen (a port taken meanwhile, say). */
  start(app: AppStart): Promise<number>;
  stop(): Promise<void>;
}

/** `onExit` is called if the worker ends before `stop()` was asked for. */
export async function startApps(config: AppsConfig, onExit: (why: string) => void): Promise<AppsThread> {
  const worker = new Worker(APPS_WORKER, { workerData: config, resourceLimits: WORKER_LIMITS });
  let stopping = false;
  let why = 'exited';
  worker.on('error', (err) => {
    why = err.message;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (port: number) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: AppsMessage) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'started') pending.get(m.id)?.resolve(m.port);
      else if (m.type === 'failed') pending.get(m.id)?.reject(new Error(m.message));
      if (m.type === 'started' || m.type === 'failed') pending.delete(m.id);
    });
    void exited.then(() => reject(new Error(`the demo apps did not start: ${why}`)));
  });
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`the demo apps stopped: ${why}`));
    pending.clear();
    if (!stopping) onExit(why);
  });
  await ready;
  const post = (m: AppsRequest) => worker.postMessage(m);
  return {
    start: (app) =>
      new Promise<number>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        post({ type: 'start', id, app });
      }),
    async stop() {
      if (stopping) return;
      stopping = true;
      post({ type: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await Promise.race([
        exited,
        new Promise<void>((resolve) =>
          worker.on('message', (m: AppsMessage) => m.type === 'stopped' && resolve()),
        ),
      ]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
