// undici's connection Pool alone, without the rest of the package (fetch, WebSocket, caches, mocks) that
// `import 'undici'` loads: about 10 MB less resident memory in every sidecar.
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);

export const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;
