// The JSON the dashboard's trace route handlers answer, shared by the handlers and the browser queries.
import type { ApiErrorCode } from '@/lib/http/answer';
import type { Trace } from '@/lib/jaeger/model';
import type { TraceSummary } from './trace-summary';

/** The codes the trace and exemplar handlers fail with (answered by `lib/http/answer`). */
export type TraceApiErrorCode = Extract<
  ApiErrorCode,
  | 'jaeger_unavailable'
  | 'jaeger_error'
  | 'trace_not_found'
  | 'invalid_request'
  | 'prometheus_unavailable'
  | 'prometheus_error'
>;

/** `GET /api/traces?...` */
export interface TraceSearchResponse {
  traces: TraceSummary[];
  /** The services searched (all of them when the search named none). */
  services: string[];
  /** Services whose search failed while others answered. */
  warnings: string[];
}

/** `GET /api/traces/{traceId}` */
export interface TraceResponse {
  trace: Trace;
}

/** `GET /api/traces/services` */
export interface ServicesResponse {
  services: string[];
}

/** `GET /api/traces/operations?service=` */
export interface OperationsResponse {
  operations: string[];
}

/** One exemplar: a sampled request's trace id at a histogram observation. */
export interface ExemplarPoint {
  traceId: string;
  spanId?: string;
  /** Unix milliseconds. */
  timeMs: number;
  /** Observed duration in milliseconds. */
  valueMs: number;
  /** The histogram bucket it was attached to (`le`), and the series' source → destination. */
  le?: string;
  source?: string;
  destination?: string;
  responseCode?: string;
}

/** `GET /api/exemplars?...` */
export interface ExemplarsResponse {
  exemplars: ExemplarPoint[];
}

/** `GET /api/traces/failing?...`: recent error traces through a node or an edge of the graph. */
export interface FailingRequestsResponse {
  traces: FailingRequest[];
  /** Jaeger services searched. */
  services: string[];
}

export interface FailingRequest extends TraceSummary {
  /** The failing span on the node or edge asked about (the deepest error span there). */
  failingSpan?: {
    spanID: string;
    serviceName: string;
    operationName: string;
    statusCode?: number;
    /** The gRPC status of a gRPC hop (its HTTP status is 200 whether or not the call failed). */
    grpcStatus?: number;
    responseFlags?: string;
  };
}
