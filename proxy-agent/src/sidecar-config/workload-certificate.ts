// What a sidecar's TLS needs from wherever its identity comes from (the control plane's CA, or files
// in tests): its key and certificate chain, and the roots it trusts — the contract between
// sidecar-config (gets and renews certificates) and the sidecar (speaks mTLS with them).

export interface WorkloadCertificate {
  /** PEM private key of the workload. */
  key: string;
  /** PEM certificate chain, leaf first, then intermediates (not the root). */
  certChain: string;
  /** PEM root certificates peers are verified against: old and new side by side during a root rotation. */
  trustBundle: string;
  /** The identity in the leaf's URI SAN: `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`. */
  spiffeId: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateSource {
  /** The certificate in use now; undefined until the first one is issued. */
  current(): WorkloadCertificate | undefined;
  /** Called with each renewed certificate (and a changed trust bundle); returns an unsubscribe. */
  onChange(listener: (cert: WorkloadCertificate) => void): () => void;
  close(): void;
}
