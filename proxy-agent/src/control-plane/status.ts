// Kubernetes `Status` objects: how every error (and a successful delete of nothing) is answered.
import { groupOf, qualifiedResource } from '../../../lib/mesh-config/api-paths';
import { type MeshKindName, PLURALS } from '../../../lib/mesh-config/kinds';
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

/** `virtualservices.networking.istio.io "reviews"`: how Kubernetes names a resource in messages. */
export function qualifiedName(kind: MeshKindName, name: string): string {
  return `${qualifiedResource(kind)} "${name}"`;
}

function detailsOf(kind: MeshKindName, name: string) {
  return { name, group: groupOf(kind), kind: PLURALS[kind] };
}

export function notFound(kind: MeshKindName, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(kind, name)} not found`, detailsOf(kind, name));
}

export function alreadyExists(kind: MeshKindName, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedName(kind, name)} already exists`,
    detailsOf(kind, name),
  );
}

export function conflict(kind: MeshKindName, name: string, why: string, causes?: Cause[]): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(kind, name)}: ${why}`,
    { ...detailsOf(kind, name), ...(causes ? { causes } : {}) },
  );
}

/** 422 with every failing field, as `kubectl apply` shows them (`VirtualService.networking.istio.io "x"`). */
export function invalid(kind: MeshKindName, name: string, causes: Cause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new ApiError(422, 'Invalid', `${kind}.${groupOf(kind)} "${name}" is invalid: ${list}`, {
    name,
    group: groupOf(kind),
    kind,
    causes,
  });
}

/** 403 naming what was refused (Kubernetes' `forbidden` shape). */
export function forbidden(message: string, details?: Status['details']): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** A watch asked to resume from a resourceVersion the history no longer holds. */
export function expired(resourceVersion: string, oldest: string): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${resourceVersion} (${oldest})`);
}
