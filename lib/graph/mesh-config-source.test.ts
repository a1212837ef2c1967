import { describe, expect, it } from 'vitest';
import { type HttpTransport, MeshConfigClient } from '../mesh-config/client';
import { type ConfigResult, configOfFound, fetchMeshConfig, MESH_ROOT_NAMESPACE } from './mesh-config-source';

const ROOT = MESH_ROOT_NAMESPACE;

/** Two items of each kind a namespace (and a gateway across them), as a control plane lists them. */
function itemsOf(plural: string, ns: string): unknown[] {
  const meta = (name: string) => ({ name, namespace: ns });
  return ['a', 'b'].map((n) => {
    switch (plural) {
      case 'virtualservices':
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: meta(n),
          spec: { hosts: [`${n}.${ns}`] },
        };
      case 'destinationrules':
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: meta(n),
          spec: { host: `${n}.${ns}` },
        };
      case 'serviceentries':
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: meta(n),
          spec: {
            hosts: [`${n}.${ns}.example.com`],
            location: 'MESH_EXTERNAL',
            resolution: 'DNS',
            ports: [{ number: 443, name: 'https', protocol: 'TLS' }],
          },
        };
      case 'peerauthentications':
        return {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: meta(n),
          spec: { mtls: { mode: 'STRICT' } },
        };
      case 'sidecars':
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'Sidecar',
          metadata: meta(n),
          spec: { egress: [{ hosts: ['./*'] }] },
        };
      default:
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'WorkloadEntry',
          metadata: { name: n, namespace: 'gw' },
          spec: { address: '10.0.0.1', labels: { istio: 'egressgateway' } },
        };
    }
  });
}

/** A control plane answering every list from `itemsOf`; `asked` gets each namespace listed. */
function controlPlane(asked: string[] = []): MeshConfigClient {
  const transport: HttpTransport = async ({ url }) => {
    const m = /\/namespaces\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
    if (m) asked.push(decodeURIComponent(m[1] as string));
    const plural = m ? (m[2] as string) : 'workloadentries';
    const items = itemsOf(plural, m ? decodeURIComponent(m[1] as string) : 'gw');
    return {
      status: 200,
      statusText: 'OK',
      text: JSON.stringify({ metadata: { resourceVersion: '1' }, items }),
    };
  };
  return new MeshConfigClient({ baseUrl: 'http://control-plane.test', transport });
}

describe('mesh config source', () => {
  it("gives the config of the namespaces found from an early read of the view's last ones and a read of the new: as a read of those found", async () => {
    const cases: [found: string[], last: string[]][] = [
      [
        ['a', 'b'],
        ['a', 'b'],
      ],
      [
        ['a', 'b', 'c'],
        ['a', 'b'],
      ],
      [['b'], ['a', 'b', 'c']],
      [['a', 'c'], ['b']],
      [['a', ROOT], ['a']],
      [['a'], ['a', ROOT]],
      [
        ['a', ROOT],
        ['a', ROOT],
      ],
      [[ROOT], ['b']],
      [
        ['c', 'd'],
        ['a', 'b', 'c'],
      ],
    ];
    const client = controlPlane();
    const read = (ns: string[]) => fetchMeshConfig(client, ns);
    for (const [found, last] of cases) {
      const fresh = await read(found);
      if (!fresh.ok) throw new Error(fresh.message);
      // Every kind read (the items validate), the root's mesh-wide kinds too.
      expect(fresh.value.virtualServices).toHaveLength(found.length * 2);
      expect(fresh.value.sidecars?.length).toBe((found.length + (found.includes(ROOT) ? 0 : 1)) * 2);
      const merged = await configOfFound(found, last, read(last), read);
      expect(merged, `found ${found}, last ${last}`).toEqual(fresh);
    }
  });

  it("reads after the early read only the namespaces it lacked, and answers the early read's failure", async () => {
    const asked: string[] = [];
    const client = controlPlane(asked);
    const read = (ns: string[]) => fetchMeshConfig(client, ns);
    const early = read(['a', 'gone']);
    await early;
    asked.length = 0;
    await configOfFound(['a', 'new'], ['a', 'gone'], early, read);
    expect([...new Set(asked)].sort()).toEqual(['istio-system', 'new']);
    asked.length = 0;
    const failed: Promise<ConfigResult> = Promise.resolve({ ok: false, message: 'control plane: down' });
    const r = await configOfFound(['a', 'new'], ['a', 'gone'], failed, read);
    expect(r).toEqual({ ok: false, message: 'control plane: down' });
  });
});
