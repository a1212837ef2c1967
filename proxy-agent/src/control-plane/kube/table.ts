// The Table form of a list (and of watch events) that `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: Name, then the kind's printer columns.
import type { MeshKind, MeshResource } from '../../../../lib/mesh-config/schema';
import { COLUMNS } from './names';

/** Whether the Accept header asks for a meta.k8s.io Table (v1 or v1beta1), and which version. */
export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') !== 'Table' || params.get('g') !== 'meta.k8s.io') continue;
    const v = params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

/** Kubernetes' HumanDuration: 45s, 3m20s, 15m, 2h10m, 20h, 3d4h, 40d, 2y30d. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 || y >= 8 ? `${y}y` : `${y}y${d % 365}d`;
}

function cellOf(value: unknown, type: string, now: number): unknown {
  // Absent values are null (kubectl prints <none>); a JSONPath list prints as its JSON, as Istio's do.
  if (value === undefined || value === null || value === '') return null;
  if (type === 'date') return humanDuration(now - Date.parse(String(value)));
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

export function columnDefinitions(kind: MeshKind) {
  return [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...COLUMNS[kind].map((c) => ({
      name: c.name,
      type: c.type,
      format: '',
      description: c.description,
      priority: 0,
    })),
  ];
}

export function tableOf(
  kind: MeshKind,
  objects: readonly MeshResource[],
  version: 'v1' | 'v1beta1',
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  withColumns = true,
  now = Date.now(),
) {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    ...(withColumns ? { columnDefinitions: columnDefinitions(kind) } : { columnDefinitions: null }),
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...COLUMNS[kind].map((c) => cellOf(c.cell(o), c.type, now))],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${version}`,
        metadata: o.metadata,
      },
    })),
  };
}
