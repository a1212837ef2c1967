import { describe, expect, it } from 'vitest';
import type { PeerAuthentication } from '../../mesh-config/schema';
import type { MeshConfigView } from '../config-badges';
import { BOOKINFO, mapOf } from '../test-samples';
import { appendPeerAuthentication } from './peer-authentication';
import { appendSecurityPolicy } from './security-policy';

const { productpage, reviewsV1, REVIEWS } = BOOKINFO;
const details = { ns: 'bookinfo', wl: 'details-v1', app: 'details', version: 'v1' };
const DETAILS = 'details.bookinfo.svc.cluster.local';
const legacy = { ns: 'legacy', wl: 'legacy-client', app: 'legacy-client' };

function pa(
  name: string,
  ns: string,
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE',
  app?: string,
): PeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: ns },
    spec: { ...(app ? { selector: { matchLabels: { app } } } : {}), mtls: { mode } },
  };
}
const config = (peerAuthentications: PeerAuthentication[]): MeshConfigView => ({
  virtualServices: [],
  destinationRules: [],
  serviceEntries: [],
  peerAuthentications,
});
// The demo's policy: STRICT mesh-wide, details left PERMISSIVE for a legacy plaintext client.
const DEMO = config([
  pa('default', 'istio-system', 'STRICT'),
  pa('details-legacy', 'bookinfo', 'PERMISSIVE', 'details'),
]);

function demoMap() {
  const map = mapOf([
    { reporter: 'destination', from: productpage, to: reviewsV1, service: REVIEWS, rps: 2, principals: true },
    { reporter: 'destination', from: legacy, to: details, service: DETAILS, rps: 1, mtls: false },
    { reporter: 'destination', from: productpage, to: details, service: DETAILS, rps: 3, principals: true },
  ]);
  appendSecurityPolicy(map);
  return map;
}

describe('peer authentication appender', () => {
  it('gives each namespace drawn its effective mode: the mesh-wide STRICT unless its own policy says otherwise', () => {
    const map = demoMap();
    appendPeerAuthentication(
      map,
      config([...(DEMO.peerAuthentications ?? []), pa('ns', 'legacy', 'DISABLE')]),
    );
    expect(Object.fromEntries(map.namespaceMtls ?? [])).toEqual({ bookinfo: 'STRICT', legacy: 'DISABLE' });
  });

  it('says in words where plaintext reaches a PERMISSIVE workload, and only on that traffic’s edges', () => {
    const map = demoMap();
    appendPeerAuthentication(map, DEMO);
    expect(map.edges.get('app:legacy:legacy-client:latest->svc:bookinfo:details')?.mtlsWarning).toMatch(
      /100 ?% of requests in plaintext into a PERMISSIVE workload/,
    );
    // The service's edge onward carries both callers: a quarter of it is plaintext.
    expect(map.edges.get('svc:bookinfo:details->app:bookinfo:details:v1')?.mtlsWarning).toMatch(/^25 ?%/);
    expect(map.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:details')?.mtlsWarning).toBeUndefined();
    expect(map.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.mtlsWarning).toBeUndefined();
  });

  it('leaves plaintext into a DISABLE workload alone: it asked for it', () => {
    const map = demoMap();
    appendPeerAuthentication(map, config([pa('off', 'bookinfo', 'DISABLE', 'details')]));
    expect([...map.edges.values()].every((e) => e.mtlsWarning === undefined)).toBe(true);
  });

  it('without mesh config: no namespace modes, and plaintext still stands out (Istio’s default is PERMISSIVE)', () => {
    const map = demoMap();
    appendPeerAuthentication(map, undefined);
    expect(map.namespaceMtls).toBeUndefined();
    expect(map.edges.get('app:legacy:legacy-client:latest->svc:bookinfo:details')?.mtlsWarning).toContain(
      'PERMISSIVE',
    );
  });
});
