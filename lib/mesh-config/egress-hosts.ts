// Istio's `namespace/dnsName` host form (Sidecar egress hosts, Gateway server hosts): parsing with the
// reason a host is malformed, and matching a service (its FQDN and config namespace) against one.
// Free of zod, so that the sidecar can match with it at run time.

/** `*`: any namespace; `.`: the resource's own; `~`: none (imports nothing); else a namespace name. */
export interface NamespacedHost {
  namespace: string;
  dnsName: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_DNS_NAME = 253;

/** Why a DNS name (optionally `*` or `*.suffix`) is not one, or undefined when it is. */
export function dnsNameProblem(name: string): string | undefined {
  if (name === '*') return undefined;
  const rest = name.startsWith('*.') ? name.slice(2) : name;
  if (rest.length === 0 || rest.length > MAX_DNS_NAME)
    return `must be a DNS name of at most ${MAX_DNS_NAME} characters`;
  for (const label of rest.split('.')) {
    if (label.length > 63 || !DNS1123_LABEL.test(label))
      return 'must be a DNS name: lower-case labels of alphanumerics and "-", optionally starting with "*."';
  }
  return undefined;
}

/** Parses `namespace/dnsName` as Istio validates it; a string is the reason it is malformed. */
export function parseNamespacedHost(host: string): NamespacedHost | string {
  const slash = host.indexOf('/');
  if (slash < 0) return `must be of the form namespace/dnsName (e.g. ./*, istio-system/*, */api.example.com)`;
  const namespace = host.slice(0, slash);
  const dnsName = host.slice(slash + 1);
  if (namespace === '' || dnsName === '') return 'namespace and dnsName must not be empty';
  if (namespace !== '*' && namespace !== '.' && namespace !== '~' && !DNS1123_LABEL.test(namespace))
    return `namespace ${namespace} must be *, ., ~ or a namespace name`;
  const problem = dnsNameProblem(dnsName);
  return problem === undefined ? { namespace, dnsName } : `dnsName ${problem}`;
}

/** Does a host name match a DNS name that may be `*` or a `*.suffix` wildcard? */
export function dnsNameMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  const h = host.toLowerCase();
  if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1));
  return h === pattern;
}

/**
 * Does an entry (seen from a resource in `own`) import a service: one of its names, declared in the
 * config namespace `serviceNamespace`? `~` imports nothing.
 */
export function hostImports(
  entry: NamespacedHost,
  own: string,
  serviceNamespace: string,
  names: readonly string[],
): boolean {
  if (entry.namespace === '~') return false;
  const ns = entry.namespace === '.' ? own : entry.namespace;
  if (ns !== '*' && ns !== serviceNamespace) return false;
  return names.some((n) => dnsNameMatches(entry.dnsName, n));
}
