// The sidecar's certificates, as `istioctl proxy-config secret` shows them: the workload certificate's
// SPIFFE id, issuer, validity and time to renewal, and the roots it trusts.
import { Table } from '@/components/ui/table';
import type { CertificateRow } from '@/lib/proxy-config/types';
import { ScrollRegion } from './scroll-region';

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

export function SecretsTable({
  certificates,
  mtlsMode,
}: {
  certificates: readonly CertificateRow[];
  mtlsMode?: string;
}) {
  return (
    <div className="flex flex-col gap-2">
      {mtlsMode ? (
        <p className="text-sm">
          Inbound mTLS mode (PeerAuthentication): <strong>{mtlsMode}</strong>
        </p>
      ) : null}
      {certificates.length === 0 ? (
        <p className="text-sm">No certificates: this sidecar speaks plaintext only.</p>
      ) : (
        <ScrollRegion label="Certificates table">
          <Table
            caption="Certificates"
            rows={certificates}
            rowKey={(c) => `${c.name}/${c.serialNumber}`}
            rowHeaders
            columns={[
              { header: 'Resource', cell: (c) => c.name },
              { header: 'Identity', className: 'font-mono', cell: (c) => c.spiffeId || c.subject || '-' },
              { header: 'Issuer', cell: (c) => c.issuer || '-' },
              { header: 'Serial', className: 'font-mono', cell: (c) => c.serialNumber },
              {
                header: 'Valid from',
                cell: (c) => (c.validFrom ? new Date(c.validFrom).toLocaleString() : '-'),
              },
              {
                header: 'Expires',
                cell: (c) =>
                  c.expirationTime
                    ? `${new Date(c.expirationTime).toLocaleString()} (${c.daysUntilExpiration} days)`
                    : '-',
              },
              {
                header: 'Renewal in',
                cell: (c) => (c.secondsToRenewal === undefined ? '-' : duration(c.secondsToRenewal)),
              },
            ]}
          />
        </ScrollRegion>
      )}
    </div>
  );
}
