// Kubernetes `Status` objects: how every error (and a successful delete of nothing) is answered.
import type { Cause } from '../../../lib/mesh-config/validate';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Cause[] };
}

/** An error the API answers as a Status; thrown inside handlers, turned into the response at the edge. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    return failure(this.code, this.reason, this.message, this.details);
  }
}

export function failure(
  code: number,
  reason: StatusReason,
  message: string,
  details?: Status['details'],
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

const GROUP = 'networking.istio.io';

/** `virtualservices.networking.istio.io "reviews"`: how Kubernetes names a resource in messages. */
export function qualifiedName(plural: string, name: string): string {
  return `${plural}.${GROUP} "${name}"`;
}

export function notFound(plural: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(plural, name)} not found`, {
    name,
    group: GROUP,
    kind: plural,
  });
}

export function alreadyExists(plural: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedName(plural, name)} already exists`, {
    name,
    group: GROUP,
    kind: plural,
  });
}

export function conflict(plural: string, name: string, why: string, causes?: Cause[]): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(plural, name)}: ${why}`,
    { name, group: GROUP, kind: plural, ...(causes ? { causes } : {}) },
  );
}

/** 422 with every failing field, as `kubectl apply` shows them. */
export function invalid(kind: string, name: string, causes: Cause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new ApiError(422, 'Invalid', `${kind}.${GROUP} "${name}" is invalid: ${list}`, {
    name,
    group: GROUP,
    kind,
    causes,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** A watch asked to resume from a resourceVersion the history no longer holds. */
export function expired(resourceVersion: string, oldest: string): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${resourceVersion} (${oldest})`);
}
