// What a validation beyond the schema answers: one finding on one resource, with a stable code (Kiali's
// KIA codes where Kiali has the check, MSL codes for Meshlens' own), a severity and the field's path.
import type { MeshKindName } from '../kinds';

export type Severity = 'error' | 'warning';
export type Validity = 'valid' | 'warning' | 'error';

export interface Validation {
  /** Stable code: `KIA1107`, `MSL1101`… */
  code: string;
  severity: Severity;
  message: string;
  kind: MeshKindName;
  namespace: string;
  name: string;
  /** The field, as Kubernetes names fields in causes: `spec.http[0].route[1].destination.subset`. */
  path: string;
}

/** A workload the checks match subsets and selectors against: its namespace and labels. */
export interface WorkloadRef {
  namespace: string;
  name?: string;
  labels: Readonly<Record<string, string>>;
}

export interface ValidateOptions {
  /**
   * Workloads known besides the WorkloadEntries among the resources (e.g. from metrics or a
   * Kubernetes API). WorkloadEntries are always counted.
   */
  workloads?: readonly WorkloadRef[];
  /** Fully qualified service hosts known besides the ServiceEntries (`reviews.bookinfo.svc.cluster.local`). */
  services?: readonly string[];
}

/** The identity of a resource a validation is about. */
export interface ResourceKey {
  kind: string;
  namespace: string;
  name: string;
}
