// What `meshlens-agent sidecar --control-plane URL` adds to a sidecar: its config follows the control
// plane's watch, and its instance registers (heartbeats, deregisters on close).
import { readClientToken } from '../../../lib/auth/token-file';
import { type ControlPlaneSource, connectControlPlane } from './control-plane-source';
import { type Registration, startRegistration } from './registration';

/**
 * After deregistering, how long a stopping sidecar keeps serving: the time the DELETE takes to reach
 * every other sidecar through its watch (well under this), so no one sends to a closed listener.
 */
export const DEREGISTRATION_GRACE_MS = 500;

export interface ControlPlaneLinkOptions {
  url: string;
  /** A file holding the bearer token (the control plane's token file works: its first token is used). */
  tokenFile?: string;
  log?: (line: string) => void;
}

/** What registration needs of a started sidecar (its handle fits). */
export interface RunningSidecar {
  ports: { inbound: number; admin: number };
  identity: { workload: string; namespace: string; app: string; version: string };
}

export interface ControlPlaneLink {
  source: ControlPlaneSource;
  /** Registers the running sidecar's instance; its close() deregisters, then waits out the grace. */
  register(sidecar: RunningSidecar): Registration;
}

/** Connects to the control plane (resolving with its first snapshot) for a sidecar about to start. */
export async function linkControlPlane(options: ControlPlaneLinkOptions): Promise<ControlPlaneLink> {
  if (!URL.canParse(options.url)) throw new Error(`--control-plane must be a URL, not ${options.url}`);
  const token = options.tokenFile ? readClientToken(options.tokenFile) : undefined;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // The control plane validates every write with the full schema; the sidecar checks references only.
  const source = await connectControlPlane({
    url: options.url,
    token,
    validation: 'references',
    onError: log,
    onInfo: log,
  });
  return {
    source,
    register: ({ ports, identity }) => {
      const registration = startRegistration({
        controlPlaneUrl: options.url,
        token,
        namespace: identity.namespace,
        app: identity.app,
        version: identity.version,
        workload: identity.workload,
        inboundPort: ports.inbound,
        adminPort: ports.admin,
        onError: log,
        onInfo: log,
      });
      return {
        ...registration,
        async close() {
          await registration.close();
          await new Promise((resolve) => setTimeout(resolve, DEREGISTRATION_GRACE_MS));
        },
      };
    },
  };
}
