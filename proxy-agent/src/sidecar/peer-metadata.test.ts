import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../sidecar-config/static-file-source';
import { compileMesh, UNKNOWN_WORKLOAD } from './mesh-model';
import { decodePeer, encodePeer, resolveConnectionPeer, resolveMtlsPeer, resolvePeer } from './peer-metadata';

describe('peer metadata', () => {
  it('round-trips a workload identity, the same object for the same header', () => {
    const id = {
      workload: 'productpage-v1',
      namespace: 'default',
      app: 'productpage',
      version: 'v1',
      canonicalService: 'productpage',
      canonicalRevision: 'v1',
      principal: 'unknown',
    };
    const header = encodePeer(id);
    expect(decodePeer(header)).toEqual(id);
    expect(decodePeer(header)).toBe(decodePeer(header));
  });

  it('treats a missing or malformed header as a caller outside the mesh', () => {
    expect(decodePeer(undefined)).toBe(UNKNOWN_WORKLOAD);
    expect(decodePeer('a;b')).toBe(UNKNOWN_WORKLOAD);
    expect(decodePeer('%E0%A4%A;b;c;d;e;f')).toBe(UNKNOWN_WORKLOAD);
  });
});

describe('resolving the caller against the config', () => {
  const model = compileMesh(
    parseConfigText(
      `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: productpage-1, namespace: default}
spec:
  address: 127.0.0.1
  labels: {app: productpage, version: v1, meshlens.io/workload: productpage-v1}
`,
      'mesh.yaml',
    ),
    'default',
  );
  const productpage = {
    workload: 'productpage-v1',
    namespace: 'default',
    app: 'productpage',
    version: 'v1',
    canonicalService: 'productpage',
    canonicalRevision: 'v1',
    principal: 'unknown',
  };

  it('believes a header that names a workload of a WorkloadEntry, with the labels of the config', () => {
    expect(resolvePeer(encodePeer(productpage), model)).toEqual(productpage);
    // The claimed app and version do not matter: the config's are used.
    expect(resolvePeer(encodePeer({ ...productpage, app: 'evil', version: 'x' }), model)).toEqual(
      productpage,
    );
  });

  it('makes a caller the config does not know unknown', () => {
    expect(resolvePeer(encodePeer({ ...productpage, workload: 'attacker-1' }), model)).toBe(UNKNOWN_WORKLOAD);
    expect(resolvePeer(encodePeer({ ...productpage, namespace: 'other' }), model)).toBe(UNKNOWN_WORKLOAD);
    expect(resolvePeer(undefined, model)).toBe(UNKNOWN_WORKLOAD);
  });

  it('answers a connection as resolveMtlsPeer does, again when its header or the config changes', () => {
    const principal = 'spiffe://cluster.local/ns/default/sa/productpage';
    const conn: Parameters<typeof resolveConnectionPeer>[0] = { peerPrincipal: principal };
    const header = encodePeer(productpage);
    const first = resolveConnectionPeer(conn, header, model);
    expect(first).toEqual(resolveMtlsPeer(header, model, principal));
    expect(first.workload).toBe('productpage-v1');
    expect(resolveConnectionPeer(conn, `${header}`, model)).toBe(first);
    // Another header on the same connection: resolved, not the kept caller.
    const other = encodePeer({ ...productpage, workload: 'attacker-1' });
    expect(resolveConnectionPeer(conn, other, model)).toEqual(resolveMtlsPeer(other, model, principal));
    expect(resolveConnectionPeer(conn, other, model).workload).toBe('unknown');
    // A new config that no longer has the workload: resolved against it.
    const empty = compileMesh({ resources: [] }, 'default');
    expect(resolveConnectionPeer(conn, header, empty).workload).toBe('unknown');
    expect(resolveConnectionPeer(conn, header, model).workload).toBe('productpage-v1');
    expect(resolveConnectionPeer(conn, undefined, model).workload).toBe('unknown');
  });
});
