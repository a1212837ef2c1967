import { describe, expect, it } from 'vitest';
import type { MeshResource } from './schema';
import { crossValidate, parseResource, qualifyHost, resolveHost } from './validate';

const se = (host: string): MeshResource => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: host.split('.')[0] as string, namespace: 'default' },
  spec: { hosts: [host], location: 'MESH_INTERNAL', resolution: 'STATIC' },
});

const vs = (spec: unknown) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'default' },
  spec,
});

describe('parseResource', () => {
  it('rejects a route regex RE2 does not accept (backreference, lookaround), naming the field', () => {
    const r = parseResource(
      vs({
        hosts: ['reviews'],
        http: [
          {
            match: [{ uri: { regex: '/(a)\\1' }, headers: { 'x-user': { regex: '(?!admin).*' } } }],
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    const causes = r.ok ? [] : r.causes;
    expect(causes.map((c) => c.field)).toEqual(
      expect.arrayContaining([
        'spec.http[0].match[0].uri.regex',
        'spec.http[0].match[0].headers.x-user.regex',
      ]),
    );
    expect(causes.find((c) => c.field.endsWith('uri.regex'))?.message).toMatch(/RE2.*invalid escape/);
    const fine = parseResource(
      vs({
        hosts: ['reviews'],
        http: [{ match: [{ uri: { regex: '/(a+)+b' } }], route: [{ destination: { host: 'reviews' } }] }],
      }),
    );
    expect(fine.ok).toBe(true);
  });

  it('names every failing field', () => {
    const r = parseResource(
      vs({
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 70.5 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
            ],
            timeout: 'soon',
            fault: { abort: { httpStatus: 700, percentage: { value: 120 } } },
          },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.causes.map((c) => c.field);
    expect(fields).toContain('spec.http[0].route[0].weight');
    expect(fields).toContain('spec.http[0].timeout');
    expect(fields).toContain('spec.http[0].fault.abort.httpStatus');
    expect(fields).toContain('spec.http[0].fault.abort.percentage.value');
  });

  it('rejects weights that do not sum to 100 and unknown fields', () => {
    const r = parseResource(
      vs({
        hosts: ['reviews'],
        bogus: 1,
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 40 },
            ],
          },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.causes.find((c) => c.field === 'spec.http[0].route')?.message).toMatch(/sum to 90/);
      expect(r.causes.some((c) => c.field === 'spec' && /bogus/.test(c.message))).toBe(true);
    }
  });

  it('rejects names that are not DNS-1123 labels', () => {
    const r = parseResource({ ...se('a.default.svc.cluster.local'), metadata: { name: 'Bad_Name' } });
    expect(r.ok ? [] : r.causes.map((c) => c.field)).toEqual(['metadata.name']);
  });
});

describe('crossValidate', () => {
  it('requires known hosts and defined subsets', () => {
    const parsed = parseResource(
      vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v9' } }] }] }),
    );
    if (!parsed.ok) throw new Error('fixture invalid');
    expect(crossValidate(parsed.value, [])).toEqual([
      { field: 'spec.hosts[0]', message: 'host reviews is not a known service' },
      { field: 'spec.http[0].route[0].destination.host', message: 'host reviews is not a known service' },
      {
        field: 'spec.http[0].route[0].destination.subset',
        message: 'subset v9 needs a DestinationRule for reviews defining it',
      },
    ]);
    const others: MeshResource[] = [
      se('reviews.default.svc.cluster.local'),
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: { host: 'reviews', subsets: [{ name: 'v9', labels: { version: 'v9' } }] },
      },
    ];
    expect(crossValidate(parsed.value, others)).toEqual([]);
  });

  it('qualifies short hosts the way Istio does', () => {
    expect(qualifyHost('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(qualifyHost('httpbin.org', 'default')).toBe('httpbin.org');
    const known = new Set(['reviews.prod.svc.cluster.local', 'httpbin.org']);
    expect(resolveHost('reviews.prod', 'default', known)).toBe('reviews.prod.svc.cluster.local');
    expect(resolveHost('reviews', 'prod', known)).toBe('reviews.prod.svc.cluster.local');
    expect(resolveHost('HTTPBIN.org', 'default', known)).toBe('httpbin.org');
    expect(resolveHost('reviews', 'default', known)).toBeUndefined();
  });
});

const pa = (spec: unknown, apiVersion = 'security.istio.io/v1') => ({
  apiVersion,
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'bookinfo' },
  spec,
});

const dr = (tls: unknown) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'default' },
  spec: { host: 'reviews', trafficPolicy: { tls } },
});

function fields(r: ReturnType<typeof parseResource>): string[] {
  return r.ok ? [] : r.causes.map((c) => c.field);
}

describe('PeerAuthentication', () => {
  it('accepts mesh, namespace, workload and port-level policies in security.istio.io/v1', () => {
    expect(parseResource(pa({ mtls: { mode: 'STRICT' } })).ok).toBe(true);
    expect(parseResource(pa({})).ok).toBe(true);
    const r = parseResource(
      pa({
        selector: { matchLabels: { app: 'reviews' } },
        mtls: { mode: 'PERMISSIVE' },
        portLevelMtls: { '9080': { mode: 'DISABLE' } },
      }),
    );
    expect(r.ok).toBe(true);
  });

  it('refuses the networking apiVersion, an unknown mode, and names the field', () => {
    expect(fields(parseResource(pa({}, 'networking.istio.io/v1')))).toEqual(['apiVersion']);
    expect(fields(parseResource(pa({ mtls: { mode: 'ON' } })))).toEqual(['spec.mtls.mode']);
  });

  it('refuses portLevelMtls without a selector, and ports out of range', () => {
    const r = parseResource(pa({ portLevelMtls: { '9080': { mode: 'STRICT' }, '0': { mode: 'STRICT' } } }));
    expect(fields(r)).toEqual(['spec.portLevelMtls', 'spec.portLevelMtls.0']);
    expect(r.ok ? '' : r.causes[0]?.message).toMatch(/selector/);
  });
});

describe('DestinationRule trafficPolicy.tls', () => {
  it('accepts Istio modes, at the rule and at a subset', () => {
    expect(
      parseResource(dr({ mode: 'ISTIO_MUTUAL', sni: 'reviews', subjectAltNames: ['spiffe://x'] })).ok,
    ).toBe(true);
    expect(parseResource(dr({ mode: 'SIMPLE', caCertificates: '/etc/ca.pem' })).ok).toBe(true);
    expect(parseResource(dr({ mode: 'DISABLE' })).ok).toBe(true);
  });

  it('MUTUAL needs a certificate and key; ISTIO_MUTUAL takes no files; unknown modes refused', () => {
    expect(fields(parseResource(dr({ mode: 'MUTUAL' })))).toEqual([
      'spec.trafficPolicy.tls.clientCertificate',
      'spec.trafficPolicy.tls.privateKey',
    ]);
    expect(fields(parseResource(dr({ mode: 'ISTIO_MUTUAL', privateKey: '/k.pem' })))).toEqual([
      'spec.trafficPolicy.tls.privateKey',
    ]);
    expect(fields(parseResource(dr({ mode: 'TLS' })))).toEqual(['spec.trafficPolicy.tls.mode']);
  });
});
