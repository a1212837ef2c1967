// Where a sidecar's mesh config comes from: a static YAML file, or the control plane's watch.
// A source always holds a complete, validated snapshot; a change is delivered as a whole new snapshot.
import type { MeshResource } from '../../../lib/mesh-config/schema';

export interface MeshSnapshot {
  resources: readonly MeshResource[];
  /** The control plane's resourceVersion this snapshot reflects (absent for a static file). */
  resourceVersion?: string;
}

export interface ConfigSource {
  current(): MeshSnapshot;
  /** Called with each new complete snapshot; returns an unsubscribe function. */
  subscribe(listener: (snapshot: MeshSnapshot) => void): () => void;
  close(): Promise<void>;
}
