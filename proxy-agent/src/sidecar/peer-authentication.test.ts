import { describe, expect, it } from 'vitest';
import type { PeerAuthentication } from '../../../lib/mesh-config/schema';
import { effectiveMtlsMode } from './peer-authentication';

function pa(
  namespace: string,
  name: string,
  spec: PeerAuthentication['spec'],
  creationTimestamp?: string,
): PeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

const reviews = { namespace: 'bookinfo', labels: { app: 'reviews', version: 'v1' }, ports: [15006, 9080] };

describe('effectiveMtlsMode', () => {
  it('is PERMISSIVE with no policy at all', () => {
    expect(effectiveMtlsMode([], reviews)).toBe('PERMISSIVE');
  });

  it('takes workload over namespace over mesh (root namespace)', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const ns = pa('bookinfo', 'default', { mtls: { mode: 'PERMISSIVE' } });
    const wl = pa('bookinfo', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'DISABLE' },
    });
    expect(effectiveMtlsMode([mesh], reviews)).toBe('STRICT');
    expect(effectiveMtlsMode([mesh, ns], reviews)).toBe('PERMISSIVE');
    expect(effectiveMtlsMode([mesh, ns, wl], reviews)).toBe('DISABLE');
  });

  it('UNSET inherits from the next level; other namespaces and non-matching selectors do not apply', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const unset = pa('bookinfo', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'UNSET' },
    });
    const other = pa('other', 'default', { mtls: { mode: 'DISABLE' } });
    const ratings = pa('bookinfo', 'ratings', {
      selector: { matchLabels: { app: 'ratings' } },
      mtls: { mode: 'DISABLE' },
    });
    expect(effectiveMtlsMode([mesh, unset, other, ratings], reviews)).toBe('STRICT');
  });

  it('a selector in the root namespace does not apply mesh-wide', () => {
    const rootSelector = pa('istio-system', 'x', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'DISABLE' },
    });
    expect(effectiveMtlsMode([rootSelector], reviews)).toBe('PERMISSIVE');
  });

  it('portLevelMtls of the workload policy wins for that port', () => {
    const wl = pa('bookinfo', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '9080': { mode: 'PERMISSIVE' } },
    });
    expect(effectiveMtlsMode([wl], reviews)).toBe('PERMISSIVE');
    expect(effectiveMtlsMode([wl], { ...reviews, ports: [8080] })).toBe('STRICT');
  });

  it('the oldest of two workload policies wins', () => {
    const newer = pa(
      'bookinfo',
      'a',
      { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'DISABLE' } },
      '2025-02-01T00:00:00Z',
    );
    const older = pa(
      'bookinfo',
      'b',
      { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } },
      '2025-01-01T00:00:00Z',
    );
    expect(effectiveMtlsMode([newer, older], reviews)).toBe('STRICT');
  });
});
