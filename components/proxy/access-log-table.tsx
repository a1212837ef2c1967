// The sidecar's recent access log, newest first: Envoy's fields per request, each sampled one linked to
// its trace.
import Link from 'next/link';
import { LINK_CLASS } from '@/components/inventory/links';
import { Table } from '@/components/ui/table';
import { grpcStatusName } from '@/lib/graph/response-flags';
import type { AccessLogRow } from '@/lib/proxy-config/types';
import { ScrollRegion } from './scroll-region';

function codeClass(e: AccessLogRow): string {
  if (e.grpcStatus !== undefined && e.grpcStatus !== 0) return 'text-red-800 dark:text-red-200';
  if ((e.responseCode === 0 && !e.tcp) || e.responseCode >= 500) return 'text-red-800 dark:text-red-200';
  if (e.responseCode >= 400) return 'text-amber-900 dark:text-amber-200';
  return '';
}

/** The HTTP code, a gRPC call's status in words beside it, or `TCP` for a connection (Envoy logs 0). */
function codeWords(e: AccessLogRow): string {
  if (e.tcp) return 'TCP';
  if (e.grpcStatus === undefined) return String(e.responseCode);
  return `${e.responseCode} · gRPC ${e.grpcStatus} ${grpcStatusName(String(e.grpcStatus)) ?? ''}`.trim();
}

export function AccessLogTable({
  entries,
  capacity,
  total,
}: {
  entries: readonly AccessLogRow[];
  capacity: number;
  total: number;
}) {
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm">
        The newest {entries.length} of {total} requests since the sidecar started (it keeps the last{' '}
        {capacity}).
      </p>
      {entries.length === 0 ? (
        <p className="text-sm">No requests yet.</p>
      ) : (
        <ScrollRegion label="Access log table">
          <Table
            caption="Access log"
            rows={entries}
            rowKey={(e) => `${e.startTime}/${e.requestId}/${e.direction}/${e.path}`}
            columns={[
              {
                header: 'Start',
                className: 'whitespace-nowrap tabular-nums',
                cell: (e) => (e.startTime ? new Date(e.startTime).toLocaleTimeString() : '-'),
              },
              { header: 'Direction', cell: (e) => e.direction },
              {
                header: 'Request',
                className: 'font-mono',
                cell: (e) =>
                  e.tcp ? (
                    <span className="break-all">TCP connection</span>
                  ) : (
                    <span className="break-all">
                      {e.method} {e.authority !== '-' ? e.authority : ''}
                      {e.path} {e.protocol}
                    </span>
                  ),
              },
              {
                header: 'Code',
                className: 'tabular-nums',
                cell: (e) => <span className={codeClass(e)}>{codeWords(e)}</span>,
              },
              { header: 'Flags', className: 'font-mono', cell: (e) => e.responseFlags },
              {
                header: 'Bytes in / out',
                className: 'text-right tabular-nums whitespace-nowrap',
                cell: (e) => `${e.bytesReceived} / ${e.bytesSent}`,
              },
              { header: 'Duration', className: 'text-right tabular-nums', cell: (e) => `${e.durationMs} ms` },
              {
                header: 'Upstream',
                className: 'font-mono',
                cell: (e) => `${e.upstreamHost} ${e.upstreamCluster}`,
              },
              { header: 'Request id', className: 'font-mono break-all', cell: (e) => e.requestId },
              {
                header: 'Trace',
                cell: (e) =>
                  e.traceId ? (
                    <Link href={`/traces/${e.traceId}`} className={`${LINK_CLASS} font-mono`}>
                      <span className="sr-only">Trace </span>
                      {e.traceId.slice(0, 8)}
                    </Link>
                  ) : (
                    'not sampled'
                  ),
              },
            ]}
          />
        </ScrollRegion>
      )}
    </div>
  );
}
