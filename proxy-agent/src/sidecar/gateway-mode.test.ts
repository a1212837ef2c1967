import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { gatewayProxyLabels, instanceLabels, parseLabelFlags, registeredLabels } from './gateway-mode';
import type { WorkloadIdentity } from './telemetry-types';

const egress: WorkloadIdentity = {
  workload: 'istio-egressgateway',
  namespace: 'istio-system',
  app: 'istio-egressgateway',
  version: 'v1',
  canonicalService: 'istio-egressgateway',
  canonicalRevision: 'v1',
  principal: 'unknown',
};

function entry(name: string, ns: string, port: number, labels: Record<string, string>): MeshResource {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: { name, namespace: ns, labels },
    spec: { address: '127.0.0.1', ports: { http: port }, labels },
  };
}

describe('gateway labels', () => {
  it("a gateway registers Istio's istio label from its name, under the labels given", () => {
    expect(gatewayProxyLabels(egress)).toEqual({
      app: 'istio-egressgateway',
      version: 'v1',
      'meshlens.io/workload': 'istio-egressgateway',
      istio: 'egressgateway',
    });
    expect(instanceLabels('gateway', egress, { istio: 'exit' }).istio).toBe('exit');
    expect(instanceLabels('sidecar', egress, { tier: 'db' })).toEqual({ tier: 'db' });
  });

  it('selection reads the WorkloadEntry the gateway registered (its workload, namespace and port)', () => {
    const own = { 'meshlens.io/workload': 'istio-egressgateway', istio: 'relabelled' };
    const resources = [
      entry('other-ns', 'default', 15006, { 'meshlens.io/workload': 'istio-egressgateway', istio: 'x' }),
      entry('other-replica', 'istio-system', 16000, {
        'meshlens.io/workload': 'istio-egressgateway',
        istio: 'y',
      }),
      entry('mine', 'istio-system', 15006, own),
    ];
    expect(registeredLabels(resources, egress, 15006)).toEqual(own);
    // Not registered yet (or the port not known): nothing from the registry.
    expect(registeredLabels(resources, egress, 17000)).toBeUndefined();
    expect(registeredLabels(resources, egress, undefined)).toBeUndefined();
  });

  it('label flags follow Kubernetes label syntax and name the flag', () => {
    expect(parseLabelFlags(['istio=egressgateway', 'example.com/tier=edge', 'empty='])).toEqual({
      istio: 'egressgateway',
      'example.com/tier': 'edge',
      empty: '',
    });
    expect(() => parseLabelFlags(['novalue'])).toThrow(/--label must be KEY=VALUE/);
    expect(() => parseLabelFlags(['a b=c'])).toThrow(/--label/);
    expect(() => parseLabelFlags([`k=${'v'.repeat(64)}`])).toThrow(/--label/);
  });
});
