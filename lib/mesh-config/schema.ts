// The mesh configuration: Istio's own resource shapes (networking.istio.io/v1, security.istio.io/v1), a
// documented subset.
// Defined once here; the sidecar, the control plane and the dashboard all import this module.
import { RE2JS } from 're2js';
import { z } from 'zod';
import { parseDuration } from './duration';
import { dnsNameProblem, parseNamespacedHost } from './egress-hosts';

import { KIND_API_VERSIONS, type MeshKindName } from './kinds';

export { API_VERSION, MESH_CONFIG_API_VERSION, MESH_KINDS, PLURALS, SECURITY_API_VERSION } from './kinds';

/** DNS-1123 label: what Kubernetes accepts as a resource name. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const name = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, 'must be a DNS-1123 label (lower-case alphanumerics and "-", at most 63)');

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration such as 250ms, 5s, 1m or 1h',
});

const percent = z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

export const ObjectMetaSchema = z.strictObject({
  name,
  namespace: name.optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** Istio StringMatch: exactly one of exact, prefix, regex. */
export const StringMatchSchema = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .superRefine((m, ctx) => {
    const set = [m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', message: 'must set exactly one of exact, prefix, regex' });
    if (m.regex !== undefined) {
      // Istio's regexes are RE2 (what the sidecar matches with): no backreferences, no lookaround.
      try {
        RE2JS.compile(m.regex);
      } catch (err) {
        const reason = err instanceof Error ? `: ${err.message}` : '';
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `is not a valid RE2 regular expression${reason}`,
        });
      }
    }
  });

export const HTTPMatchRequestSchema = z.strictObject({
  name: z.string().optional(),
  uri: StringMatchSchema.optional(),
  method: StringMatchSchema.optional(),
  headers: z.record(z.string(), StringMatchSchema).optional(),
  ignoreUriCase: z.boolean().optional(),
  /** The gateways (or `mesh`) this match applies on; replaces the VirtualService's `gateways` for it. */
  gateways: z.array(z.string().min(1)).optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

export const DestinationSchema = z.strictObject({
  host: z.string().min(1),
  subset: z.string().optional(),
  port: z.strictObject({ number: z.number().int().min(1).max(65535) }).optional(),
});

export const HTTPRouteDestinationSchema = z.strictObject({
  destination: DestinationSchema,
  weight: z.number().int('must be an integer').min(0, 'must be 0–100').max(100, 'must be 0–100').optional(),
});

/** Envoy retry conditions Istio passes through, plus Istio's retriable status codes. */
export const RETRY_ON = [
  '5xx',
  'gateway-error',
  'connect-failure',
  'reset',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'unavailable',
  'cancelled',
  'deadline-exceeded',
  'resource-exhausted',
  'internal',
] as const;

export const HTTPRetrySchema = z.strictObject({
  attempts: z.number().int().min(0).max(100),
  perTryTimeout: duration.optional(),
  retryOn: z
    .string()
    .refine(
      (s) =>
        s
          .split(',')
          .map((c) => c.trim())
          .every((c) => (RETRY_ON as readonly string[]).includes(c) || /^[1-5]\d\d$/.test(c)),
      { message: `must be a comma-separated list of ${RETRY_ON.join(', ')} or HTTP status codes` },
    )
    .optional(),
  retryRemoteLocalities: z.boolean().optional(),
});

export const HTTPFaultInjectionSchema = z.strictObject({
  delay: z
    .strictObject({ percentage: z.strictObject({ value: percent }).optional(), fixedDelay: duration })
    .optional(),
  abort: z
    .strictObject({
      percentage: z.strictObject({ value: percent }).optional(),
      httpStatus: z.number().int().min(200, 'must be 200–599').max(599, 'must be 200–599'),
    })
    .optional(),
});

export const HTTPRouteSchema = z
  .strictObject({
    name: z.string().optional(),
    match: z.array(HTTPMatchRequestSchema).optional(),
    route: z.array(HTTPRouteDestinationSchema).min(1),
    retries: HTTPRetrySchema.optional(),
    timeout: duration.optional(),
    fault: HTTPFaultInjectionSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.route.length > 1) {
      const sum = r.route.reduce((s, d) => s + (d.weight ?? 0), 0);
      if (sum !== 100) {
        ctx.addIssue({
          code: 'custom',
          path: ['route'],
          message: `weights must sum to 100 when a route has several destinations (they sum to ${sum})`,
        });
      }
    }
  });

/** Istio's L4MatchAttributes (the part a sidecar can check: the service port, the caller's labels). */
export const L4MatchAttributesSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).optional(),
  destinationSubnets: z.array(z.string()).optional(),
  sourceLabels: z.record(z.string(), z.string()).optional(),
  gateways: z.array(z.string()).optional(),
  sourceNamespace: z.string().optional(),
});

/** Istio's TCPRoute: opaque TCP traffic, matched on L4 attributes, split by weight. */
export const TCPRouteSchema = z
  .strictObject({
    match: z.array(L4MatchAttributesSchema).optional(),
    route: z.array(HTTPRouteDestinationSchema).min(1),
  })
  .superRefine((r, ctx) => {
    if (r.route.length > 1) {
      const sum = r.route.reduce((s, d) => s + (d.weight ?? 0), 0);
      if (sum !== 100)
        ctx.addIssue({
          code: 'custom',
          path: ['route'],
          message: `weights must sum to 100 when a route has several destinations (they sum to ${sum})`,
        });
    }
  });

/** The reserved gateway name for the mesh's sidecars (Istio's). */
export const MESH_GATEWAY = 'mesh';

export const VirtualServiceSpecSchema = z
  .strictObject({
    hosts: z.array(z.string().min(1)).min(1),
    gateways: z.array(z.string().min(1)).optional(),
    http: z.array(HTTPRouteSchema).optional(),
    tcp: z.array(TCPRouteSchema).optional(),
    exportTo: z.array(z.string()).optional(),
  })
  .superRefine((vs, ctx) => {
    // Istio: a VirtualService that lists gateways applies to sidecars only if it lists `mesh`, and a
    // match applies only on gateways the VirtualService is bound to: any other name in a match is dead.
    const bound = vs.gateways;
    if (bound === undefined || bound.length === 0) return;
    const check = (
      route: 'http' | 'tcp',
      ri: number,
      mi: number,
      gateways: readonly string[] | undefined,
    ) => {
      gateways?.forEach((g, gi) => {
        if (bound.includes(g)) return;
        ctx.addIssue({
          code: 'custom',
          path: [route, ri, 'match', mi, 'gateways', gi],
          message:
            g === MESH_GATEWAY
              ? 'names the mesh gateway, but spec.gateways does not list mesh: a VirtualService that lists gateways applies to sidecars only if it lists mesh'
              : `gateway ${g} is not in spec.gateways: the match would never apply`,
        });
      });
    };
    vs.http?.forEach((r, ri) => {
      r.match?.forEach((m, mi) => {
        check('http', ri, mi, m.gateways);
      });
    });
    vs.tcp?.forEach((r, ri) => {
      r.match?.forEach((m, mi) => {
        check('tcp', ri, mi, m.gateways);
      });
    });
  });

export const LOAD_BALANCERS = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'PASSTHROUGH'] as const;

export const CLIENT_TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const;

/**
 * Istio's ClientTLSSettings: how a sidecar originates TLS to the destination. Files are paths on the
 * sidecar's host (as Istio's file-mounted certificates). A `tls` without `mode` is DISABLE (the proto's
 * default), as in Istio.
 */
export const ClientTLSSettingsSchema = z
  .strictObject({
    mode: z.enum(CLIENT_TLS_MODES).optional(),
    clientCertificate: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional(),
    caCertificates: z.string().min(1).optional(),
    credentialName: z.string().optional(),
    subjectAltNames: z.array(z.string().min(1)).optional(),
    sni: z.string().min(1).optional(),
    insecureSkipVerify: z.boolean().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.mode === 'MUTUAL' && t.credentialName === undefined) {
      // Istio: MUTUAL needs the client's own certificate and key (or a credentialName holding them).
      if (t.clientCertificate === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['clientCertificate'],
          message: 'is required when mode is MUTUAL',
        });
      if (t.privateKey === undefined)
        ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'is required when mode is MUTUAL' });
    }
    if (t.mode === 'ISTIO_MUTUAL') {
      // Istio: the mesh's own certificates are used; files would be silently ignored.
      for (const f of ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName'] as const) {
        if (t[f] !== undefined)
          ctx.addIssue({ code: 'custom', path: [f], message: 'cannot be set when mode is ISTIO_MUTUAL' });
      }
    }
  });

export const TrafficPolicySchema = z.strictObject({
  tls: ClientTLSSettingsSchema.optional(),
  loadBalancer: z.strictObject({ simple: z.enum(LOAD_BALANCERS) }).optional(),
  connectionPool: z
    .strictObject({
      tcp: z
        .strictObject({
          maxConnections: z.number().int().min(1).optional(),
          connectTimeout: duration.optional(),
        })
        .optional(),
      http: z
        .strictObject({
          http1MaxPendingRequests: z.number().int().min(1).optional(),
          http2MaxRequests: z.number().int().min(1).optional(),
          maxRequestsPerConnection: z.number().int().min(0).optional(),
          maxRetries: z.number().int().min(0).optional(),
          idleTimeout: duration.optional(),
          /** Istio: UPGRADE speaks HTTP/2 to the destination even when the caller spoke HTTP/1.1. */
          h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
        })
        .optional(),
    })
    .optional(),
  outlierDetection: z
    .strictObject({
      consecutive5xxErrors: z.number().int().min(0).optional(),
      consecutiveGatewayErrors: z.number().int().min(0).optional(),
      interval: duration.optional(),
      baseEjectionTime: duration.optional(),
      maxEjectionTime: duration.optional(),
      maxEjectionPercent: percent.optional(),
      minHealthPercent: percent.optional(),
    })
    .optional(),
});

export const SubsetSchema = z.strictObject({
  name,
  labels: z.record(z.string(), z.string()).optional(),
  trafficPolicy: TrafficPolicySchema.optional(),
});

export const DestinationRuleSpecSchema = z
  .strictObject({
    host: z.string().min(1),
    subsets: z.array(SubsetSchema).optional(),
    trafficPolicy: TrafficPolicySchema.optional(),
    exportTo: z.array(z.string()).optional(),
  })
  .superRefine((dr, ctx) => {
    const seen = new Set<string>();
    dr.subsets?.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({ code: 'custom', path: ['subsets', i, 'name'], message: `duplicate subset ${s.name}` });
      seen.add(s.name);
    });
  });

export const ServicePortSchema = z.strictObject({
  number: z.number().int().min(1).max(65535),
  protocol: z.string().optional(),
  name: z.string(),
  targetPort: z.number().int().min(1).max(65535).optional(),
});

export const WorkloadEntrySpecSchema = z.strictObject({
  address: z.string().min(1),
  ports: z.record(z.string(), z.number().int().min(1).max(65535)).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  network: z.string().optional(),
  locality: z.string().optional(),
  weight: z.number().int().min(0).optional(),
  serviceAccount: z.string().optional(),
});

export const ServiceEntrySpecSchema = z
  .strictObject({
    hosts: z.array(z.string().min(1)).min(1),
    addresses: z.array(z.string()).optional(),
    ports: z.array(ServicePortSchema).optional(),
    location: z.enum(['MESH_EXTERNAL', 'MESH_INTERNAL']).optional(),
    resolution: z.enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']).optional(),
    endpoints: z.array(WorkloadEntrySpecSchema).optional(),
    workloadSelector: z.strictObject({ labels: z.record(z.string(), z.string()) }).optional(),
    exportTo: z.array(z.string()).optional(),
  })
  .superRefine((se, ctx) => {
    // Istio's ServiceEntry rules on resolution: NONE forwards to the address the caller dialled (no
    // endpoints to pick from); DNS resolves a name, which a wildcard host is not.
    if (se.resolution === 'NONE' && (se.endpoints?.length ?? 0) > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints'],
        message: 'must be empty when resolution is NONE (traffic goes to the address the caller used)',
      });
    if (se.resolution === 'DNS' || se.resolution === 'DNS_ROUND_ROBIN') {
      if ((se.endpoints?.length ?? 0) > 0) return;
      se.hosts.forEach((h, i) => {
        if (h.startsWith('*'))
          ctx.addIssue({
            code: 'custom',
            path: ['hosts', i],
            message: `a wildcard host cannot be resolved by DNS: give endpoints or use resolution NONE`,
          });
      });
    }
  });

/** Istio's WorkloadEntry status conditions (auto-registration health), as istiod writes them. */
export const StatusSchema = z
  .strictObject({
    conditions: z
      .array(
        z.strictObject({
          type: z.string(),
          status: z.enum(['True', 'False', 'Unknown']),
          lastProbeTime: z.string().optional(),
          lastTransitionTime: z.string().optional(),
          reason: z.string().optional(),
          message: z.string().optional(),
        }),
      )
      .optional(),
  })
  .optional();

/** Kubernetes label selector as Istio's WorkloadSelector uses it (matchLabels only). */
export const WorkloadSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string().min(1), z.string()).optional(),
});

export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
const MtlsSchema = z.strictObject({ mode: z.enum(MTLS_MODES).optional() });

/**
 * Istio's PeerAuthentication (security.istio.io/v1): what a workload's inbound side accepts. Mesh-wide in
 * the root namespace, namespace-wide without a selector, per workload with one; `portLevelMtls` (keyed
 * by the workload's port) only with a selector, as Istio validates it.
 */
export const PeerAuthenticationSpecSchema = z
  .strictObject({
    selector: WorkloadSelectorSchema.optional(),
    mtls: MtlsSchema.optional(),
    portLevelMtls: z.record(z.string(), MtlsSchema).optional(),
  })
  .superRefine((pa, ctx) => {
    const ports = Object.keys(pa.portLevelMtls ?? {});
    if (ports.length === 0) return;
    if (Object.keys(pa.selector?.matchLabels ?? {}).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['portLevelMtls'],
        message:
          'needs a selector with matchLabels (mesh and namespace policies cannot have port level mTLS)',
      });
    for (const p of ports) {
      const n = Number(p);
      if (!/^\d+$/.test(p) || n < 1 || n > 65535)
        ctx.addIssue({
          code: 'custom',
          path: ['portLevelMtls', p],
          message: 'must be keyed by a port 1-65535',
        });
    }
  });

export const OUTBOUND_TRAFFIC_MODES = ['ALLOW_ANY', 'REGISTRY_ONLY'] as const;

/** Istio's OutboundTrafficPolicy: what a sidecar does with a host its registry does not know. */
export const OutboundTrafficPolicySchema = z.strictObject({
  mode: z.enum(OUTBOUND_TRAFFIC_MODES).optional(),
});

/** An Istio `namespace/dnsName` host (Sidecar egress, Gateway servers), its problem named. */
const namespacedHost = z.string().superRefine((h, ctx) => {
  const parsed = parseNamespacedHost(h);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const PortSchema = z.strictObject({
  number: z.number().int().min(1).max(65535),
  protocol: z.string().optional(),
  name: z.string().optional(),
  targetPort: z.number().int().min(1).max(65535).optional(),
});

/**
 * Istio's Sidecar (networking.istio.io/v1): the hosts a workload's sidecar may reach (`egress[].hosts`
 * in `namespace/dnsName` form) and its own outboundTrafficPolicy. Per namespace without a selector, per
 * workload with one. `ingress` is not part of the subset.
 */
export const SidecarSpecSchema = z.strictObject({
  workloadSelector: z.strictObject({ labels: z.record(z.string().min(1), z.string()) }).optional(),
  egress: z
    .array(
      z.strictObject({
        port: PortSchema.optional(),
        bind: z.string().optional(),
        captureMode: z.enum(['DEFAULT', 'IPTABLES', 'NONE']).optional(),
        hosts: z.array(namespacedHost).min(1),
      }),
    )
    .optional(),
  outboundTrafficPolicy: OutboundTrafficPolicySchema.optional(),
});

export const GATEWAY_PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'HTTP2', 'MONGO', 'TCP', 'TLS'] as const;
export const SERVER_TLS_MODES = [
  'PASSTHROUGH',
  'SIMPLE',
  'MUTUAL',
  'AUTO_PASSTHROUGH',
  'ISTIO_MUTUAL',
  'OPTIONAL_MUTUAL',
] as const;

/** A Gateway server's host: `dnsName` or `namespace/dnsName` (the namespace says whose VirtualServices bind). */
const serverHost = z.string().superRefine((h, ctx) => {
  const problem = h.includes('/')
    ? ((p) => (typeof p === 'string' ? p : undefined))(parseNamespacedHost(h))
    : dnsNameProblem(h);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Istio's Gateway (networking.istio.io/v1): the proxies it selects and the servers they listen with. */
export const GatewaySpecSchema = z.strictObject({
  selector: z.record(z.string().min(1), z.string()).optional(),
  servers: z
    .array(
      z
        .strictObject({
          port: z.strictObject({
            number: z.number().int().min(1).max(65535),
            name: z.string().min(1),
            protocol: z.enum(GATEWAY_PROTOCOLS),
            targetPort: z.number().int().min(1).max(65535).optional(),
          }),
          hosts: z.array(serverHost).min(1),
          tls: z
            .strictObject({
              mode: z.enum(SERVER_TLS_MODES).optional(),
              httpsRedirect: z.boolean().optional(),
              serverCertificate: z.string().optional(),
              privateKey: z.string().optional(),
              caCertificates: z.string().optional(),
              credentialName: z.string().optional(),
              subjectAltNames: z.array(z.string()).optional(),
            })
            .optional(),
          name: z.string().optional(),
          bind: z.string().optional(),
        })
        .superRefine((s, ctx) => {
          if ((s.port.protocol === 'HTTPS' || s.port.protocol === 'TLS') && s.tls === undefined)
            ctx.addIssue({
              code: 'custom',
              path: ['tls'],
              message: `is required for a ${s.port.protocol} server`,
            });
        }),
    )
    .min(1),
});

/**
 * The mesh-wide config, as Istio's MeshConfig (`istio.mesh.v1alpha1`; istiod reads it from the `istio`
 * ConfigMap's `mesh` key): the part Meshlens' sidecars use. One object, `istio-system/default`.
 */
export const MeshConfigSpecSchema = z.strictObject({
  outboundTrafficPolicy: OutboundTrafficPolicySchema.optional(),
});

function resource<K extends MeshKindName, S extends z.ZodType>(kind: K, spec: S) {
  return z.strictObject({
    apiVersion: z.literal(KIND_API_VERSIONS[kind]),
    kind: z.literal(kind),
    metadata: ObjectMetaSchema,
    spec,
    status: StatusSchema,
  });
}

export const VirtualServiceSchema = resource('VirtualService', VirtualServiceSpecSchema);
export const DestinationRuleSchema = resource('DestinationRule', DestinationRuleSpecSchema);
export const ServiceEntrySchema = resource('ServiceEntry', ServiceEntrySpecSchema);
export const WorkloadEntrySchema = resource('WorkloadEntry', WorkloadEntrySpecSchema);
export const PeerAuthenticationSchema = resource('PeerAuthentication', PeerAuthenticationSpecSchema);
export const SidecarSchema = resource('Sidecar', SidecarSpecSchema);
export const GatewaySchema = resource('Gateway', GatewaySpecSchema);
export const MeshConfigSchema = resource('MeshConfig', MeshConfigSpecSchema);

export const MeshResourceSchema = z.discriminatedUnion('kind', [
  VirtualServiceSchema,
  DestinationRuleSchema,
  ServiceEntrySchema,
  WorkloadEntrySchema,
  PeerAuthenticationSchema,
  SidecarSchema,
  GatewaySchema,
  MeshConfigSchema,
]);

export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;
export type StringMatch = z.infer<typeof StringMatchSchema>;
export type HTTPMatchRequest = z.infer<typeof HTTPMatchRequestSchema>;
export type HTTPRoute = z.infer<typeof HTTPRouteSchema>;
export type TCPRoute = z.infer<typeof TCPRouteSchema>;
export type HTTPRouteDestination = z.infer<typeof HTTPRouteDestinationSchema>;
export type HTTPRetry = z.infer<typeof HTTPRetrySchema>;
export type HTTPFaultInjection = z.infer<typeof HTTPFaultInjectionSchema>;
export type TrafficPolicy = z.infer<typeof TrafficPolicySchema>;
export type ClientTLSSettings = z.infer<typeof ClientTLSSettingsSchema>;
export type PeerAuthentication = z.infer<typeof PeerAuthenticationSchema>;
export type MtlsMode = (typeof MTLS_MODES)[number];
export type Subset = z.infer<typeof SubsetSchema>;
export type VirtualService = z.infer<typeof VirtualServiceSchema>;
export type DestinationRule = z.infer<typeof DestinationRuleSchema>;
export type ServiceEntry = z.infer<typeof ServiceEntrySchema>;
export type WorkloadEntry = z.infer<typeof WorkloadEntrySchema>;
export type Sidecar = z.infer<typeof SidecarSchema>;
export type Gateway = z.infer<typeof GatewaySchema>;
export type MeshConfig = z.infer<typeof MeshConfigSchema>;
export type OutboundTrafficMode = (typeof OUTBOUND_TRAFFIC_MODES)[number];
export type MeshResource = z.infer<typeof MeshResourceSchema>;
export type MeshKind = MeshResource['kind'];

export const SCHEMA_BY_KIND = {
  VirtualService: VirtualServiceSchema,
  DestinationRule: DestinationRuleSchema,
  ServiceEntry: ServiceEntrySchema,
  WorkloadEntry: WorkloadEntrySchema,
  PeerAuthentication: PeerAuthenticationSchema,
  Sidecar: SidecarSchema,
  Gateway: GatewaySchema,
  MeshConfig: MeshConfigSchema,
} as const;
