// undici's connection Pool alone, without the rest of the package (fetch, WebSocket, caches, mocks) that
// `import 'undici'` loads, and loaded on first use: the fast path (fast-pool.ts) carries every request
// with a buffered body, so a sidecar whose apps stream no request bodies never loads undici (its llhttp
// wasm is compiled at load: resident memory in every sidecar).
import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);
let undiciPool: typeof UndiciPool | undefined;

/** An undici Pool created on the first request dispatched to it. */
export class Pool {
  private pool: UndiciPool | undefined;

  constructor(
    private readonly origin: string,
    private readonly options: UndiciPool.Options,
  ) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.pool === undefined) {
      undiciPool ??= require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
      this.pool = new undiciPool(this.origin, this.options);
    }
    return this.pool.dispatch(options, handler);
  }

  close(): Promise<void> {
    return this.pool === undefined ? Promise.resolve() : this.pool.close();
  }
}
