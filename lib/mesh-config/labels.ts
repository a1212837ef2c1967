// Label and annotation keys the mesh uses on WorkloadEntry resources. Istio's own where Istio has one.
export const LABEL_APP = 'app';
export const LABEL_VERSION = 'version';
/** Istio's canonical service/revision labels; preferred over app/version when present. */
export const LABEL_CANONICAL_NAME = 'service.istio.io/canonical-name';
export const LABEL_CANONICAL_REVISION = 'service.istio.io/canonical-revision';
/** The workload (Deployment-like group) an instance belongs to; Meshlens' own, as WorkloadEntries have no owner here. */
export const LABEL_WORKLOAD = 'meshlens.io/workload';
/** Where Prometheus scrapes the instance's sidecar: the annotations Prometheus' Kubernetes configs use. */
export const ANNOTATION_SCRAPE_PORT = 'prometheus.io/port';
export const ANNOTATION_SCRAPE_PATH = 'prometheus.io/path';
/** The Kubernetes cluster domain Istio's FQDNs end with. */
export const CLUSTER_DOMAIN = 'svc.cluster.local';
/** Istio marks auto-registered WorkloadEntries with this annotation (value: the WorkloadGroup/workload). */
export const ANNOTATION_AUTO_REGISTRATION = 'istio.io/autoRegistrationGroup';
/**
 * Istio's endpoint label saying the workload runs a sidecar that accepts mTLS (value `istio`): what
 * auto-mTLS reads to originate Istio mTLS toward an endpoint. Sidecars with a certificate register with it.
 */
export const LABEL_TLS_MODE = 'security.istio.io/tlsMode';
export const TLS_MODE_ISTIO = 'istio';
