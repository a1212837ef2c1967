// The supervisor's side of services-worker.ts: starts the control plane and trace store in a worker
// thread with a small young generation, and stops it.
import { Worker } from 'node:worker_threads';
import type { ServicesConfig, ServicesMessage } from './services-worker';

const SERVICES_WORKER = new URL('./services-worker.js', import.meta.url);
/** The worker's heap: small young generation (RSS), old generation bounded like every demo process. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: 256 };
/** How long a stopping worker may take before it is terminated. */
const STOP_GRACE_MS = 5_000;

export interface ServicesUrls {
  controlPlane: string;
  /** The control plane CA's trust bundle (PEM): what every demo client verifies it against. */
  controlPlaneCa: string;
  otlp: string;
  jaegerQuery: string;
}

export interface ServicesThread {
  urls: ServicesUrls;
  stop(): Promise<void>;
}

/** `onExit` is called if the worker ends before `stop()` was asked for. */
export async function startServices(
  config: ServicesConfig,
  onExit: (why: string) => void,
): Promise<ServicesThread> {
  const worker = new Worker(SERVICES_WORKER, { workerData: config, resourceLimits: WORKER_LIMITS });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let why = 'exited';
  worker.on('error', (err) => {
    why = err.message;
  });
  const urls = await new Promise<ServicesUrls>((resolve, reject) => {
    worker.on('message', (m: ServicesMessage) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'failed') reject(new Error(m.message));
    });
    void exited.then(() => reject(new Error(`the control plane and trace store did not start: ${why}`)));
  });
  void exited.then(() => {
    if (!stopping) onExit(why);
  });
  return {
    urls,
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await Promise.race([
        exited,
        new Promise<void>((resolve) =>
          worker.on('message', (m: ServicesMessage) => m.type === 'stopped' && resolve()),
        ),
      ]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
