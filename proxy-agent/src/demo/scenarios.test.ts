import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { crossValidate, parseResource } from '../../../lib/mesh-config/validate';
import { BEHAVIOUR_ANNOTATION, parseBehaviour } from './app-behaviour';
import { SCENARIOS, type ScenarioName, scenarioResources } from './scenarios';

describe('demo scenarios', () => {
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    it(`${name}: every resource is valid, alone and against the ones before it`, () => {
      const accepted: MeshResource[] = [];
      for (const r of scenarioResources(name)) {
        const parsed = parseResource(r);
        expect(parsed.ok ? [] : parsed.causes).toEqual([]);
        expect(crossValidate(r, accepted)).toEqual([]);
        accepted.push(r);
      }
    });
  }

  it('turns the trouble off in the healthy scenario', () => {
    const healthy = scenarioResources('healthy');
    const ratings = healthy.find((r) => r.kind === 'VirtualService' && r.metadata.name === 'ratings');
    expect(ratings?.kind === 'VirtualService' && ratings.spec.http?.[0]?.fault).toBeUndefined();
    const reviews = healthy.find((r) => r.kind === 'ServiceEntry' && r.metadata.name === 'reviews');
    expect(parseBehaviour(reviews?.metadata.annotations?.[BEHAVIOUR_ANNOTATION])).toEqual({});
  });

  it('splits reviews across three versions with retries by default', () => {
    const reviews = scenarioResources('default').find(
      (r) => r.kind === 'VirtualService' && r.metadata.name === 'reviews',
    );
    const canary = reviews?.kind === 'VirtualService' ? reviews.spec.http?.[1] : undefined;
    expect(canary?.route.map((d) => d.destination.subset)).toEqual(['v1', 'v2', 'v3']);
    expect(canary?.retries?.attempts).toBe(2);
  });

  it('routes the external database through the egress gateway, TLS originated there with the site CA', () => {
    const site = { port: 40443, caFile: '/data/external-ca.pem' };
    const all = scenarioResources('default', site);
    const gw = all.find((r) => r.kind === 'Gateway');
    expect(gw?.kind === 'Gateway' && gw.spec.selector).toEqual({ istio: 'egressgateway' });
    const vs = all.find((r) => r.kind === 'VirtualService' && r.metadata.name === 'ratings-db');
    expect(vs?.kind === 'VirtualService' && vs.spec.gateways).toEqual([
      'mesh',
      'istio-system/istio-egressgateway',
    ]);
    const dr = all.find((r) => r.kind === 'DestinationRule' && r.metadata.name === 'ratings-db');
    expect(dr?.kind === 'DestinationRule' && dr.spec.trafficPolicy?.tls).toMatchObject({
      mode: 'SIMPLE',
      caCertificates: site.caFile,
    });
    const se = all.find((r) => r.kind === 'ServiceEntry' && r.metadata.name === 'ratings-db');
    expect(se?.kind === 'ServiceEntry' && se.spec.endpoints?.[0]?.ports).toEqual({ 'http-tls': 40443 });
  });

  it('registry-only alone switches the mesh to REGISTRY_ONLY; switching back restores ALLOW_ANY', () => {
    const mode = (name: ScenarioName) => {
      const mc = scenarioResources(name).find((r) => r.kind === 'MeshConfig');
      return mc?.kind === 'MeshConfig' ? mc.spec.outboundTrafficPolicy?.mode : undefined;
    };
    expect(mode('registry-only')).toBe('REGISTRY_ONLY');
    for (const name of Object.keys(SCENARIOS) as ScenarioName[])
      if (name !== 'registry-only') expect(mode(name)).toBe('ALLOW_ANY');
  });
});
