// What the inbound and outbound listeners share: the current compiled config, live cluster state,
// telemetry and who this sidecar is.
import type { AccessLog } from './access-log';
import type { ClusterManager } from './cluster-manager';
import type { MeshModel } from './mesh-model';
import type { PassthroughPools } from './passthrough-pools';
import type { EffectiveMtls } from './peer-authentication';
import type {
  ServiceIdentity,
  SidecarMetricsApi,
  SidecarTracerApi,
  WorkloadIdentity,
} from './telemetry-types';

export interface ListenerContext {
  /** The config a new request starts with; a request keeps it until it ends. */
  current(): MeshModel;
  clusters: ClusterManager;
  metrics: SidecarMetricsApi;
  tracer: SidecarTracerApi;
  /** This sidecar as telemetry labels it over plaintext (principal unknown)... */
  self: WorkloadIdentity;
  /** ...and over mTLS (principal: its SPIFFE id); replaced when the certificate's identity changes. */
  selfMtls: WorkloadIdentity;
  /** The service this sidecar's app serves (destination_service on the inbound side). */
  selfService: ServiceIdentity;
  /** Operation name of server spans: `<own service fqdn>:<service port>/*`. */
  inboundSpanName: string;
  /** The encoded identity sent to destination sidecars. */
  peerHeader: string;
  /** Upstream tries with a buffered body go on the fast path's connections (else all on undici). */
  fastPath: boolean;
  /** How long a TCP connection to an upstream or the app may take (tcp-proxy.ts). */
  tcpConnectTimeoutMs?: number;
  /** A TCP connection with no bytes either way this long is closed (tcp-proxy.ts). */
  tcpIdleTimeoutMs?: number;
  /** The workload's PeerAuthentication mode now (a kept-alive connection it no longer allows is reset). */
  mtlsMode: () => EffectiveMtls;
  /** The recent requests the admin port shows at /access_log (absent: not logged). */
  accessLog?: AccessLog;
  /** Connections to hosts outside the registry under ALLOW_ANY (absent: such requests are refused, NR). */
  passthrough?: PassthroughPools;
}

/** Largest request body buffered for replay on retry. */
export const MAX_BUFFERED_BODY = 16 * 1024 * 1024;
