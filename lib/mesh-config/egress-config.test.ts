import { describe, expect, it } from 'vitest';
import { hostImports, parseNamespacedHost } from './egress-hosts';
import type { MeshResource } from './schema';
import { crossValidate, parseResource } from './validate';

const fieldsOf = (input: unknown) => {
  const r = parseResource(input);
  return r.ok ? [] : r.causes.map((c) => `${c.field}: ${c.message}`);
};
const ok = (input: unknown): MeshResource => {
  const r = parseResource(input);
  if (!r.ok) throw new Error(JSON.stringify(r.causes));
  return r.value;
};

const sidecar = (hosts: string[], extra: object = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Sidecar',
  metadata: { name: 'default', namespace: 'bookinfo' },
  spec: { egress: [{ hosts }], ...extra },
});

const gateway = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'istio-egressgateway', namespace: 'istio-system' },
  spec: {
    selector: { istio: 'egressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['db.example.com'] }],
  },
};

const egressVs = (gateways: string[] | undefined, matchGateways: string[][]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'db-through-egress', namespace: 'bookinfo' },
  spec: {
    hosts: ['db.example.com'],
    ...(gateways ? { gateways } : {}),
    http: matchGateways.map((g) => ({
      match: [{ gateways: g }],
      route: [{ destination: { host: 'db.example.com' } }],
    })),
  },
});

const externalSe = ok({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'db', namespace: 'bookinfo' },
  spec: { hosts: ['db.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS' },
});

describe('Sidecar egress hosts (namespace/dnsName)', () => {
  it("accepts Istio's forms: ./*, istio-system/*, */api.example.com, ~/*, *.wildcards", () => {
    expect(
      fieldsOf(sidecar(['./*', 'istio-system/*', '*/api.example.com', '~/*', 'shop/*.example.com'])),
    ).toEqual([]);
  });

  it('refuses a host in a wrong form, naming the field and the reason', () => {
    expect(
      fieldsOf(sidecar(['api.example.com', 'a/', '/x.com', 'Bad_Ns/x.com', './API.example.com'])),
    ).toEqual([
      'spec.egress[0].hosts[0]: must be of the form namespace/dnsName (e.g. ./*, istio-system/*, */api.example.com)',
      'spec.egress[0].hosts[1]: namespace and dnsName must not be empty',
      'spec.egress[0].hosts[2]: namespace and dnsName must not be empty',
      'spec.egress[0].hosts[3]: namespace Bad_Ns must be *, ., ~ or a namespace name',
      'spec.egress[0].hosts[4]: dnsName must be a DNS name: lower-case labels of alphanumerics and "-", optionally starting with "*."',
    ]);
  });

  it('refuses an unknown outboundTrafficPolicy mode and a selector without labels', () => {
    expect(
      fieldsOf(sidecar(['./*'], { outboundTrafficPolicy: { mode: 'DENY' }, workloadSelector: {} })).map(
        (c) => c.split(':')[0],
      ),
    ).toEqual(['spec.workloadSelector.labels', 'spec.outboundTrafficPolicy.mode']);
  });

  it('imports by config namespace: * any, . own, ~ none', () => {
    const names = ['db.example.com'];
    const parse = (h: string) =>
      parseNamespacedHost(h) as Exclude<ReturnType<typeof parseNamespacedHost>, string>;
    expect(hostImports(parse('./*'), 'bookinfo', 'bookinfo', names)).toBe(true);
    expect(hostImports(parse('./*'), 'shop', 'bookinfo', names)).toBe(false);
    expect(hostImports(parse('*/*.example.com'), 'shop', 'bookinfo', names)).toBe(true);
    expect(hostImports(parse('bookinfo/other.example.com'), 'shop', 'bookinfo', names)).toBe(false);
    expect(hostImports(parse('~/*'), 'bookinfo', 'bookinfo', names)).toBe(false);
  });
});

describe('Gateway and the VirtualServices bound to it', () => {
  it('accepts an egress Gateway; HTTPS without tls and a bad host are refused with the field', () => {
    expect(fieldsOf(gateway)).toEqual([]);
    const bad = structuredClone(gateway);
    bad.spec.servers = [
      { port: { number: 443, name: 'tls', protocol: 'HTTPS' }, hosts: ['db.example.com', 'Not A Host'] },
    ];
    expect(fieldsOf(bad).map((c) => c.split(':')[0])).toEqual([
      'spec.servers[0].hosts[1]',
      'spec.servers[0].tls',
    ]);
  });

  it("refuses a match on mesh when the VirtualService's gateways do not list mesh (Istio's rule)", () => {
    const causes = fieldsOf(
      egressVs(['istio-system/istio-egressgateway'], [['mesh'], ['istio-system/istio-egressgateway']]),
    );
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(
      /^spec\.http\[0\]\.match\[0\]\.gateways\[0\]: names the mesh gateway, but spec\.gateways does not list mesh/,
    );
    expect(
      fieldsOf(
        egressVs(
          ['mesh', 'istio-system/istio-egressgateway'],
          [['mesh'], ['istio-system/istio-egressgateway']],
        ),
      ),
    ).toEqual([]);
  });

  it('a gateway named by a VirtualService must exist (namespace/name, or name in its own namespace)', () => {
    const vs = ok(
      egressVs(
        ['mesh', 'istio-system/istio-egressgateway'],
        [['mesh'], ['istio-system/istio-egressgateway']],
      ),
    );
    expect(crossValidate(vs, [externalSe])).toEqual([
      {
        field: 'spec.gateways[1]',
        message: 'gateway istio-system/istio-egressgateway is not a known Gateway',
      },
    ]);
    expect(crossValidate(vs, [externalSe, ok(gateway)])).toEqual([]);
    const local = ok(egressVs(['istio-egressgateway'], [['istio-egressgateway']]));
    expect(crossValidate(local, [externalSe, ok(gateway)])[0]?.message).toBe(
      'gateway bookinfo/istio-egressgateway is not a known Gateway',
    );
  });
});

describe('MeshConfig', () => {
  const mc = (name: string, namespace: string, spec: object) => ({
    apiVersion: 'mesh.meshlens.io/v1alpha1',
    kind: 'MeshConfig',
    metadata: { name, namespace },
    spec,
  });

  it('takes outboundTrafficPolicy ALLOW_ANY or REGISTRY_ONLY, nothing else', () => {
    expect(
      fieldsOf(mc('default', 'istio-system', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })),
    ).toEqual([]);
    expect(
      fieldsOf(mc('default', 'istio-system', { outboundTrafficPolicy: { mode: 'ALLOW_SOME' } }))[0],
    ).toMatch(/^spec\.outboundTrafficPolicy\.mode: /);
    expect(fieldsOf(mc('default', 'istio-system', { outbound: 'x' }))[0]).toMatch(/^spec: .*outbound/);
  });

  it('is one object, istio-system/default: any other is refused, not silently ignored', () => {
    const other = ok(mc('strict', 'bookinfo', {}));
    expect(crossValidate(other, []).map((c) => c.field)).toEqual(['metadata.name', 'metadata.namespace']);
    expect(crossValidate(ok(mc('default', 'istio-system', {})), [])).toEqual([]);
  });
});

describe('ServiceEntry resolution', () => {
  const se = (spec: object) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'ext', namespace: 'bookinfo' },
    spec: { location: 'MESH_EXTERNAL', ...spec },
  });

  it('NONE takes no endpoints; DNS cannot resolve a wildcard host without endpoints', () => {
    expect(
      fieldsOf(se({ hosts: ['db.example.com'], resolution: 'NONE', endpoints: [{ address: '10.0.0.1' }] })),
    ).toEqual([
      'spec.endpoints: must be empty when resolution is NONE (traffic goes to the address the caller used)',
    ]);
    expect(fieldsOf(se({ hosts: ['*.example.com'], resolution: 'DNS' }))[0]).toMatch(
      /^spec\.hosts\[0\]: a wildcard host/,
    );
    expect(fieldsOf(se({ hosts: ['*.example.com'], resolution: 'NONE' }))).toEqual([]);
    expect(
      fieldsOf(
        se({ hosts: ['db.example.com'], resolution: 'STATIC', endpoints: [{ address: '127.0.0.1' }] }),
      ),
    ).toEqual([]);
  });
});
