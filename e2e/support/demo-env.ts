// Where the demo started by the global setup is listening; read by specs through `test` fixtures.
import type { TokenDashboard } from './token-dashboard';

export interface DemoEnv {
  dashboard: string;
  prometheus: string;
  jaeger: string;
  controlPlane: string;
  token: string;
  pid: number;
  dataDir: string;
  /** A second dashboard in token mode with reads guarded (e2e/security.spec.ts). */
  tokenDashboard: TokenDashboard;
}

export const DEMO_ENV_VAR = 'MESHLENS_E2E_DEMO';

export function demoEnv(): DemoEnv {
  const raw = process.env[DEMO_ENV_VAR];
  if (!raw)
    throw new Error(
      `${DEMO_ENV_VAR} is not set: run the specs through playwright.config.ts (its global setup starts the demo)`,
    );
  return JSON.parse(raw) as DemoEnv;
}
