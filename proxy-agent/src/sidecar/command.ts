// `meshlens-agent sidecar`: parses flags, starts one sidecar, prints its ports, drains on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import {
  CONTROL_PLANE_FLAGS,
  CONTROL_PLANE_FLAGS_USAGE,
  type ControlPlaneFlagValues,
  linkOptionsFromFlags,
} from '../sidecar-config/control-plane-flags';
import type { ControlPlaneLinkOptions } from '../sidecar-config/control-plane-link';
import type { CertificateSource } from '../sidecar-config/workload-certificate';
import { ACCESS_LOG_ENTRIES } from './access-log';
import { PROTOCOL_DETECTION_TIMEOUT_MS } from './connection-router';
import { type CertificateFiles, fileCertificateSource } from './file-certificate-source';
import { instanceLabels, parseLabelFlags, SIDECAR_MODES, type SidecarMode } from './gateway-mode';
import { MAX_CONCURRENT_STREAMS } from './h2-listener';
import { TLS_HANDSHAKE_TIMEOUT_MS } from './inbound-transport';
import {
  MAX_DOWNSTREAM_CONNECTIONS,
  REQUEST_HEADERS_TIMEOUT_MS,
  STREAM_IDLE_TIMEOUT_MS,
} from './listener-limits';
import { MAX_METRIC_SERIES } from './metrics';
import {
  PASSTHROUGH_MAX_CONNECTIONS,
  PASSTHROUGH_MAX_ORIGINS,
  PASSTHROUGH_MAX_TUNNELS,
} from './passthrough-pools';
import { DEFAULT_OTLP_ENDPOINT, type SidecarOptions, startSidecar } from './sidecar';
import { TCP_CONNECT_TIMEOUT_MS, TCP_IDLE_TIMEOUT_MS } from './tcp-proxy';

const USAGE = `usage: meshlens-agent sidecar --service NAME [flags]

Runs the sidecar proxy of one workload instance.

flags:
  --service NAME        the service the local app serves (required)
  --namespace NS        its namespace (default: default)
  --version V           its version (default: v1)
  --workload NAME       its workload (default: <service>-<version>)
  --app-port N          where the local app listens (default: 8080)
  --inbound-port N      listener for other sidecars' requests (default: 15006; 0 picks a free port)
  --outbound-port N     listener for the app's requests (default: 15001; 0 picks a free port)
  --admin-port N        /stats/prometheus, /ready, /config_dump, /clusters (default: 15000; 0 picks a free port)
  --config FILE         multi-document YAML of Istio resources (ServiceEntry, WorkloadEntry,
                        VirtualService, DestinationRule) (this or --control-plane is required)
  --control-plane URL   follow the control plane's config (watch) and register this instance there
  --control-plane-token-file FILE
                        bearer token for the control plane (its first token)
  --port-name NAME      the service port's name the instance registers its inbound port under, as
                        Istio names ports (http, grpc-*, tcp-*, ...) (default: http)
${CONTROL_PLANE_FLAGS_USAGE}
  --otlp-endpoint URL   where spans go over OTLP/HTTP (default: ${DEFAULT_OTLP_ENDPOINT})
  --sampling PERCENT    share of new traces sampled, 0-100 (default: 100)
  --no-fast-path        every request through node:http and undici (the HTTP/1.1 fast path off)
  --mode sidecar|gateway
                        gateway: a standalone gateway with no app (as istio-egressgateway): its
                        inbound port routes by the VirtualServices bound to the Gateways selecting
                        it, TLS originated per DestinationRule (default: sidecar)
  --label KEY=VALUE     a label the instance registers in its WorkloadEntry (repeatable), as a pod's
                        labels; a gateway's Gateways select it by its registered labels (a gateway
                        registers app, version, workload and istio=<service without istio-> besides)

mTLS (Istio's file-mounted certificates; all three together):
  --cert-chain FILE     PEM workload certificate chain, leaf first (its URI SAN is the SPIFFE identity)
  --key FILE            PEM private key of the workload certificate
  --root-cert FILE      PEM roots peers' certificates must chain to
  With a certificate the sidecar originates Istio mTLS to sidecars (DestinationRule ISTIO_MUTUAL, or
  auto-mTLS toward endpoints labelled security.istio.io/tlsMode=istio) and takes mTLS and plaintext on
  its inbound port as the PeerAuthentication allows (STRICT, PERMISSIVE, DISABLE).

limits (each listener; see docs/security.md):
  --request-headers-timeout MS
                        a request head must be complete this long after its first byte, else 408
                        (default: ${REQUEST_HEADERS_TIMEOUT_MS})
  --stream-idle-timeout MS
                        a request body that sends nothing this long is answered 408 (SI)
                        (default: ${STREAM_IDLE_TIMEOUT_MS})
  --max-connections N   open downstream connections per listener; more get 503 (OM) and are closed
                        (default: ${MAX_DOWNSTREAM_CONNECTIONS})
  --max-passthrough-origins N
                        hosts outside the registry (PassthroughCluster, ALLOW_ANY) with open
                        connections at once; the least recently used is closed past it
                        (default: ${PASSTHROUGH_MAX_ORIGINS})
  --max-passthrough-connections N
                        connections to one such host (default: ${PASSTHROUGH_MAX_CONNECTIONS})
  --max-passthrough-tunnels N
                        CONNECT tunnels to such hosts open at once; more get 503 (UO)
                        (default: ${PASSTHROUGH_MAX_TUNNELS})
  --tls-handshake-timeout MS
                        an inbound connection's first byte and TLS handshake must come within this
                        long, else it is reset (default: ${TLS_HANDSHAKE_TIMEOUT_MS})
  --protocol-detection-timeout MS
                        a connection whose first bytes tell no protocol within this long is taken
                        as TCP (default: ${PROTOCOL_DETECTION_TIMEOUT_MS})
  --max-concurrent-streams N
                        streams one downstream HTTP/2 connection may have open at once; more are
                        refused with RST_STREAM (REFUSED_STREAM) (default: ${MAX_CONCURRENT_STREAMS})
  --tcp-connect-timeout MS
                        a TCP connection to an upstream or the app must be up within this long, else
                        it fails with UF (default: ${TCP_CONNECT_TIMEOUT_MS})
  --tcp-idle-timeout MS a TCP connection with no bytes either way this long is closed
                        (default: ${TCP_IDLE_TIMEOUT_MS})
  --max-metric-series N request metric series kept; new label sets past it are counted in one
                        overflow series (labels unknown) (default: ${MAX_METRIC_SERIES})
  --access-log-entries N
                        recent requests kept for the admin port's /access_log (default: ${ACCESS_LOG_ENTRIES})
  --help                this text

memory: meshlens-agent starts node with --max-semi-space-size=8 (its #! line), which holds a sidecar under
  load near 90 MB resident (V8's default young generation let it reach 115-145 MB) at no CPU cost
  measured; run as \`node [flags] bin/meshlens-agent.js sidecar ...\` the flags are yours (the demo passes
  --max-semi-space-size=2 for its many small processes).`;

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--${flag} must be a port number (0-65535), not ${value}`);
  return n;
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, not ${value}`);
  return n;
}

/** A port name as Kubernetes allows it (an IANA service name: lower-case letters, digits, dashes). */
function portName(value: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(value))
    throw new Error(
      `--port-name must be a port name (lower-case letters, digits and dashes, 1-15), not ${value}`,
    );
  return value;
}

/** Sidecar options from the command line; throws a one-line message on bad flags. */
export function parseSidecarArgs(argv: string[]):
  | (SidecarOptions & {
      controlPlane?: ControlPlaneLinkOptions;
      certificateFiles?: CertificateFiles;
      /** `--label`: what the instance registers besides its app, version and workload. */
      labels: Record<string, string>;
    })
  | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      service: { type: 'string' },
      namespace: { type: 'string' },
      version: { type: 'string' },
      workload: { type: 'string' },
      'app-port': { type: 'string' },
      'inbound-port': { type: 'string' },
      'outbound-port': { type: 'string' },
      'admin-port': { type: 'string' },
      config: { type: 'string' },
      'control-plane': { type: 'string' },
      'control-plane-token-file': { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      sampling: { type: 'string' },
      'no-fast-path': { type: 'boolean' },
      'cert-chain': { type: 'string' },
      key: { type: 'string' },
      'root-cert': { type: 'string' },
      'tls-handshake-timeout': { type: 'string' },
      'protocol-detection-timeout': { type: 'string' },
      'max-concurrent-streams': { type: 'string' },
      'tcp-connect-timeout': { type: 'string' },
      'port-name': { type: 'string' },
      'request-headers-timeout': { type: 'string' },
      'stream-idle-timeout': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-metric-series': { type: 'string' },
      'access-log-entries': { type: 'string' },
      mode: { type: 'string' },
      label: { type: 'string', multiple: true },
      'max-passthrough-origins': { type: 'string' },
      'max-passthrough-connections': { type: 'string' },
      'max-passthrough-tunnels': { type: 'string' },
      'tcp-idle-timeout': { type: 'string' },
      help: { type: 'boolean' },
      ...CONTROL_PLANE_FLAGS,
    },
  });
  if (values.help) return 'help';
  if (!values.service) throw new Error('--service is required (see --help)');
  const controlPlane = values['control-plane'];
  if (!values.config && !controlPlane)
    throw new Error('--config or --control-plane is required (see --help)');
  const sampling = values.sampling === undefined ? 100 : Number(values.sampling);
  if (!Number.isFinite(sampling) || sampling < 0 || sampling > 100)
    throw new Error(`--sampling must be a percentage (0-100), not ${values.sampling}`);
  const certFlags = [values['cert-chain'], values.key, values['root-cert']];
  const certCount = certFlags.filter((v) => v !== undefined).length;
  if (certCount !== 0 && certCount !== 3)
    throw new Error('--cert-chain, --key and --root-cert go together (all three or none)');
  const mode = (values.mode ?? 'sidecar') as SidecarMode;
  if (!SIDECAR_MODES.includes(mode)) throw new Error(`--mode must be sidecar or gateway, not ${values.mode}`);
  const labels = parseLabelFlags(values.label ?? []);
  const otlp = values['otlp-endpoint'] ?? DEFAULT_OTLP_ENDPOINT;
  if (!URL.canParse(otlp)) throw new Error(`--otlp-endpoint must be a URL, not ${otlp}`);
  return {
    service: values.service,
    namespace: values.namespace ?? 'default',
    version: values.version ?? 'v1',
    workload: values.workload,
    appPort: port('app-port', values['app-port'], 8080),
    inboundPort: port('inbound-port', values['inbound-port'], 15006),
    outboundPort: port('outbound-port', values['outbound-port'], 15001),
    adminPort: port('admin-port', values['admin-port'], 15000),
    configFile: values.config,
    ...(controlPlane
      ? {
          controlPlane: {
            url: controlPlane,
            tokenFile: values['control-plane-token-file'],
            ...(values['port-name'] ? { portName: portName(values['port-name']) } : {}),
            // The control plane's CA gives the workload its identity unless files were given.
            ...linkOptionsFromFlags(
              values as ControlPlaneFlagValues,
              {
                namespace: values.namespace ?? 'default',
                name: values.workload ?? `${values.service}-${values.version ?? 'v1'}`,
              },
              certCount === 0,
            ),
          },
        }
      : {}),
    ...(certCount === 3
      ? {
          certificateFiles: {
            certChain: values['cert-chain'] as string,
            key: values.key as string,
            rootCert: values['root-cert'] as string,
          },
        }
      : {}),
    tlsHandshakeTimeoutMs: positive(
      'tls-handshake-timeout',
      values['tls-handshake-timeout'],
      TLS_HANDSHAKE_TIMEOUT_MS,
    ),
    protocolDetectionTimeoutMs: positive(
      'protocol-detection-timeout',
      values['protocol-detection-timeout'],
      PROTOCOL_DETECTION_TIMEOUT_MS,
    ),
    maxConcurrentStreams: positive(
      'max-concurrent-streams',
      values['max-concurrent-streams'],
      MAX_CONCURRENT_STREAMS,
    ),
    tcpConnectTimeoutMs: positive(
      'tcp-connect-timeout',
      values['tcp-connect-timeout'],
      TCP_CONNECT_TIMEOUT_MS,
    ),
    tcpIdleTimeoutMs: positive('tcp-idle-timeout', values['tcp-idle-timeout'], TCP_IDLE_TIMEOUT_MS),
    otlpEndpoint: otlp,
    samplingPercent: sampling,
    ...(values['no-fast-path'] ? { fastPath: false } : {}),
    limits: {
      headersTimeoutMs: positive(
        'request-headers-timeout',
        values['request-headers-timeout'],
        REQUEST_HEADERS_TIMEOUT_MS,
      ),
      streamIdleTimeoutMs: positive(
        'stream-idle-timeout',
        values['stream-idle-timeout'],
        STREAM_IDLE_TIMEOUT_MS,
      ),
      maxConnections: positive('max-connections', values['max-connections'], MAX_DOWNSTREAM_CONNECTIONS),
    },
    maxMetricSeries: positive('max-metric-series', values['max-metric-series'], MAX_METRIC_SERIES),
    accessLogEntries: positive('access-log-entries', values['access-log-entries'], ACCESS_LOG_ENTRIES),
    ...(mode === 'gateway' ? { mode, gatewayLabels: labels } : {}),
    labels,
    passthrough: {
      maxOrigins: positive(
        'max-passthrough-origins',
        values['max-passthrough-origins'],
        PASSTHROUGH_MAX_ORIGINS,
      ),
      maxConnections: positive(
        'max-passthrough-connections',
        values['max-passthrough-connections'],
        PASSTHROUGH_MAX_CONNECTIONS,
      ),
      maxTunnels: positive(
        'max-passthrough-tunnels',
        values['max-passthrough-tunnels'],
        PASSTHROUGH_MAX_TUNNELS,
      ),
    },
  };
}

export async function main(argv: string[]): Promise<void> {
  const options = parseSidecarArgs(argv);
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const { controlPlane, certificateFiles, labels, ...sidecarOptions } = options;
  // The control-plane client is loaded only when used (resident memory of every sidecar otherwise).
  const link = controlPlane
    ? await (await import('../sidecar-config/control-plane-link')).linkControlPlane(controlPlane)
    : undefined;
  // Files given on the command line win; else the control plane's CA (when the link carries one).
  const certificates: CertificateSource | undefined = certificateFiles
    ? fileCertificateSource(certificateFiles)
    : link?.certificates;
  const sidecar = await startSidecar({
    ...sidecarOptions,
    ...(link ? { configSource: link.source } : {}),
    ...(certificates ? { certificates } : {}),
  });
  // The instance registers its labels; a gateway's Gateways select it by them (gateway-mode.ts).
  const registration = link?.register({
    ...sidecar,
    labels: instanceLabels(options.mode ?? 'sidecar', sidecar.identity, labels),
  });
  const { inbound, outbound, admin } = sidecar.ports;
  console.log(
    `sidecar ${sidecar.identity.workload}.${sidecar.identity.namespace} ready: inbound 127.0.0.1:${inbound} outbound 127.0.0.1:${outbound} admin 127.0.0.1:${admin} app 127.0.0.1:${options.appPort}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sidecar ${sidecar.identity.workload}: ${signal}, draining`);
    // Deregister first, so that other sidecars stop sending here while this one drains.
    Promise.resolve(registration?.close())
      .then(() => sidecar.close())
      .then(() => link?.source.close())
      .then(() => link?.certificates?.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(`sidecar ${sidecar.identity.workload}: close failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
