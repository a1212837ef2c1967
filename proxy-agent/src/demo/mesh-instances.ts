// The demo mesh's instances: each one its app (in the apps thread; the gateways have none) and its
// sidecar process, on free ports, linked to the control plane; ready when the sidecar is. A port taken by
// another process between picking and binding restarts the pair on new ports.
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../net/free-port';
import type { AppsThread } from './apps-thread';
import type { ChildSpec, ProcessGroup } from './process-group';
import { httpOk, waitUntil } from './readiness';
import type { Role } from './topology';

/** Tries on fresh ports before an instance counts as failed. */
const START_ATTEMPTS = 3;

export interface InstanceSpec {
  name: string;
  app: string;
  version: string;
  workload: string;
  namespace: string;
  /** The service port's name its WorkloadEntry registers the inbound port under (default http). */
  portName?: string;
  /** `gateway`: a standalone gateway routing by its Gateways (as istio-egressgateway); default sidecar. */
  mode?: 'gateway';
}

export interface MeshLinks {
  controlPlane: string;
  tokenFile: string;
  otlp: string;
  samplingPercent: number;
}

/** Builds a child's spec: node, its flags and the agent CLI's arguments. */
export type NodeChild = (name: string, args: string[], extraNodeFlags?: string[]) => ChildSpec;

export class MeshInstances {
  /** The OS can hand the same free port to two of the instances starting side by side: never twice here. */
  private readonly handedOut = new Set<number>();

  constructor(
    private readonly group: ProcessGroup,
    private readonly child: NodeChild,
    private readonly links: MeshLinks,
    private readonly apps: AppsThread,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts one instance; resolves with its sidecar's ports once the sidecar is ready. */
  async start(inst: InstanceSpec, role?: Role): Promise<{ outbound: number; inbound: number }> {
    for (let attempt = 1; ; attempt++) {
      const ports = {
        app: await this.unusedPort(),
        inbound: await this.unusedPort(),
        outbound: await this.unusedPort(),
        admin: await this.unusedPort(),
      };
      const app = role
        ? await this.apps
            .start({
              role,
              version: inst.version,
              instance: inst.name,
              port: ports.app,
              outboundPort: ports.outbound,
            })
            .then(
              () => true,
              (err: Error) => {
                this.log(`${inst.name}: its app did not start: ${err.message}`);
                return false;
              },
            )
        : true;
      const children: ChildProcess[] = app ? [this.group.start(this.sidecarSpec(inst, ports))] : [];
      const exited = () => !app || children.some((c) => c.exitCode !== null || c.signalCode !== null);
      await waitUntil(
        inst.name,
        async () => exited() || (await httpOk(`http://127.0.0.1:${ports.admin}/ready`)()),
      );
      if (!exited()) return { outbound: ports.outbound, inbound: ports.inbound };
      for (const c of children) this.group.discard(c);
      if (attempt === START_ATTEMPTS)
        throw new Error(`${inst.name} did not start; see ${this.group.logFile(`${inst.name}-sidecar`)}`);
      this.log(`${inst.name}: restarting on other ports`);
    }
  }

  private sidecarSpec(
    inst: InstanceSpec,
    ports: { app: number; inbound: number; outbound: number; admin: number },
  ): ChildSpec {
    const { controlPlane, tokenFile, otlp, samplingPercent } = this.links;
    return this.child(`${inst.name}-sidecar`, [
      'sidecar',
      ...['--service', inst.app, '--namespace', inst.namespace, '--version', inst.version],
      ...['--workload', inst.workload],
      ...(inst.portName ? ['--port-name', inst.portName] : []),
      ...(inst.mode ? ['--mode', inst.mode] : []),
      ...['--control-plane', controlPlane, '--control-plane-token-file', tokenFile, '--otlp-endpoint', otlp],
      ...['--sampling', String(samplingPercent)],
      ...['--app-port', String(ports.app), '--inbound-port', String(ports.inbound)],
      ...['--outbound-port', String(ports.outbound), '--admin-port', String(ports.admin)],
    ]);
  }

  private async unusedPort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (!this.handedOut.has(port)) {
        this.handedOut.add(port);
        return port;
      }
    }
  }
}
