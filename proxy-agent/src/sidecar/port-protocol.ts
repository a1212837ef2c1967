// Which protocol a service port speaks, as Istio decides it: the port's `protocol` first, else the
// prefix of its name before `-` (grpc-*, http2-*, tcp-*, ...); unknown ports are sniffed per connection.

export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'tls' | 'unknown';

/** Istio's protocol names (case-insensitive) and what the sidecar does with them. */
const BY_NAME: Readonly<Record<string, PortProtocol>> = {
  http: 'http',
  http_proxy: 'http',
  http2: 'http2',
  grpc: 'grpc',
  'grpc-web': 'http',
  https: 'tls',
  tls: 'tls',
  tcp: 'tcp',
  mongo: 'tcp',
  mysql: 'tcp',
  redis: 'tcp',
};

/** Ports Istio treats as TCP whatever their name (server-first protocols sniffing would stall). */
const TCP_PORTS = new Set([25, 53, 3306, 27017]);

export function portProtocol(port: { name?: string; protocol?: string; number?: number }): PortProtocol {
  const declared = port.protocol?.toLowerCase();
  if (declared !== undefined && declared !== '') return BY_NAME[declared] ?? 'unknown';
  const name = port.name?.toLowerCase() ?? '';
  const dash = name.indexOf('-');
  const prefix = dash < 0 ? name : name.slice(0, dash);
  // grpc-web is the one prefix with a dash in it.
  const known = name.startsWith('grpc-web') ? 'http' : BY_NAME[prefix];
  if (known !== undefined) return known;
  return port.number !== undefined && TCP_PORTS.has(port.number) ? 'tcp' : 'unknown';
}

/** Whether requests to a port go upstream over HTTP/2 (its protocol, or the DestinationRule's UPGRADE). */
export function upstreamHttp2(protocol: PortProtocol, h2UpgradePolicy: string | undefined): boolean {
  if (protocol === 'http2' || protocol === 'grpc') return true;
  return protocol === 'http' && h2UpgradePolicy === 'UPGRADE';
}
