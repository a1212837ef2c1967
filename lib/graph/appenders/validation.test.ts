import { describe, expect, it } from 'vitest';
import type { DestinationRule, PeerAuthentication, Sidecar, VirtualService } from '../../mesh-config/schema';
import type { Validation } from '../../mesh-config/validations';
import type { MeshConfigView } from '../config-badges';
import { assembleSamples, BOOKINFO, mapOf, requestSample } from '../test-samples';
import { appendValidations, graphFindings } from './validation';

const { productpage, reviewsV1, reviewsV2, REVIEWS } = BOOKINFO;
const meta = (name: string) => ({ name, namespace: 'bookinfo' });

const reviewsVs = (weights: [number, number], subsets: [string, string] = ['v1', 'v2']): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: meta('reviews'),
  spec: {
    hosts: ['reviews'],
    http: [
      {
        route: [
          { destination: { host: 'reviews', subset: subsets[0] }, weight: weights[0] },
          { destination: { host: 'reviews', subset: subsets[1] }, weight: weights[1] },
        ],
      },
    ],
  },
});
const reviewsDr = (subsets: string[], tls?: 'DISABLE'): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: meta('reviews'),
  spec: {
    host: 'reviews',
    subsets: subsets.map((s) => ({ name: s, labels: { version: s } })),
    ...(tls ? { trafficPolicy: { tls: { mode: tls } } } : {}),
  },
});
const view = (over: Partial<MeshConfigView>): MeshConfigView => ({
  virtualServices: [],
  destinationRules: [],
  serviceEntries: [],
  ...over,
});

/** productpage → reviews v1 only (v2 quiet in this window), with or without the service node. */
const quietV2 = (injectServiceNodes = true) =>
  mapOf([{ reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 2 }], {
    injectServiceNodes,
  });

describe('validation badges', () => {
  it('puts a VirtualService’s findings on its host’s service node: a subset no DestinationRule defines, weights off 100', () => {
    const map = quietV2();
    appendValidations(map, {
      config: view({
        virtualServices: [reviewsVs([80, 10], ['v1', 'v9'])],
        destinationRules: [reviewsDr(['v1', 'v2'])],
      }),
    });
    expect(map.nodes.get('svc:bookinfo:reviews')?.badges.validation).toEqual({
      errors: 1,
      warnings: 1,
      codes: ['KIA1107', 'MSL1101'],
    });
    // Drawn on the service node only, not again on the workloads behind it or on the caller.
    expect(map.nodes.get('app:bookinfo:reviews:v1')?.badges.validation).toBeUndefined();
    expect(map.nodes.get('app:bookinfo:productpage:v1')?.badges.validation).toBeUndefined();
  });

  it('without service nodes, the workloads reached through the host carry it', () => {
    const map = quietV2(false);
    appendValidations(map, { config: view({ virtualServices: [reviewsVs([50, 40])] }) });
    expect(map.nodes.get('app:bookinfo:reviews:v1')?.badges.validation?.codes).toContain('MSL1101');
  });

  it('does not flag a subset whose workload was merely quiet in the window (no mesh-wide list given)', () => {
    const config = view({
      virtualServices: [reviewsVs([100, 0])],
      destinationRules: [reviewsDr(['v1', 'v2'])],
    });
    const map = quietV2();
    expect(graphFindings(map, { config })).toEqual([]);
    appendValidations(map, { config });
    expect(map.nodes.get('svc:bookinfo:reviews')?.badges.validation).toBeUndefined();
  });

  it('takes a mesh-wide list as it is, absence checks included', () => {
    const config = view({ destinationRules: [reviewsDr(['v1', 'v3'])] });
    const missing: Validation = {
      code: 'KIA0203',
      severity: 'error',
      message: "This subset's labels are not found in any matching host: v3",
      kind: 'DestinationRule',
      namespace: 'bookinfo',
      name: 'reviews',
      path: 'spec.subsets[1].labels',
    };
    const map = quietV2();
    appendValidations(map, { config, validations: [missing] });
    expect(map.nodes.get('svc:bookinfo:reviews')?.badges.validation).toEqual({
      errors: 1,
      warnings: 0,
      codes: ['KIA0203'],
    });
  });

  it('flags a DestinationRule that disables TLS under a STRICT namespace on its host', () => {
    const strict: PeerAuthentication = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: meta('default'),
      spec: { mtls: { mode: 'STRICT' } },
    };
    const map = quietV2();
    appendValidations(map, {
      config: view({ destinationRules: [reviewsDr(['v1'], 'DISABLE')], peerAuthentications: [strict] }),
    });
    expect(map.nodes.get('svc:bookinfo:reviews')?.badges.validation?.codes).toEqual(['KIA0207']);
  });

  it('puts a Sidecar’s findings on the workloads it selects', () => {
    const sidecar: Sidecar = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: meta('pp'),
      spec: {
        workloadSelector: { labels: { app: 'productpage' } },
        egress: [{ hosts: ['./*', './*'] }],
      },
    };
    const vs = reviewsVs([50, 40]);
    const map = mapOf([
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 },
      { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, rps: 1 },
    ]);
    // A mesh-wide list: the Sidecar's finding (whatever its code) lands on productpage, not on reviews.
    appendValidations(map, {
      config: view({ virtualServices: [vs], sidecars: [sidecar] }),
      validations: [
        {
          code: 'KIA1004',
          severity: 'warning',
          message: 'x',
          kind: 'Sidecar',
          namespace: 'bookinfo',
          name: 'pp',
          path: 'spec.egress[0].hosts[0]',
        },
      ],
    });
    expect(map.nodes.get('app:bookinfo:productpage:v1')?.badges.validation).toEqual({
      errors: 0,
      warnings: 1,
      codes: ['KIA1004'],
    });
    expect(map.nodes.get('app:bookinfo:reviews:v2')?.badges.validation).toBeUndefined();
  });

  it('reaches the graph JSON through the pipeline, beside the config badges', () => {
    const g = assembleSamples({
      graphType: 'versionedApp',
      injectServiceNodes: true,
      namespaces: [],
      requests: [
        requestSample({ reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 2 }),
      ],
      config: view({ virtualServices: [reviewsVs([90, 20])], destinationRules: [reviewsDr(['v1', 'v2'])] }),
    });
    const svc = g.nodes.find((n) => n.id === 'svc:bookinfo:reviews');
    expect(svc?.badges.canary).toBeDefined();
    expect(svc?.badges.validation).toEqual({ errors: 1, warnings: 0, codes: ['MSL1101'] });
  });
});
