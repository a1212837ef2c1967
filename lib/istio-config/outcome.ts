// What the Istio Config route handlers answer, as values: a read or write that worked, or one that
// failed in words — with the control plane's causes (422) and, on a conflict (409), the server's version.
import type { OutcomeKind } from '../http/answer';
import type { Failure } from '../mesh-config/client';
import type { MeshResource } from '../mesh-config/schema';
import type { Validation } from '../mesh-config/validations';

export interface Cause {
  field: string;
  message: string;
}

export type IstioFailure = {
  ok: false;
  kind: OutcomeKind;
  message: string;
  /** 422: the fields the control plane rejected. */
  causes?: Cause[];
  /** 409: the resource as the server holds it now (absent when it was deleted meanwhile). */
  current?: MeshResource;
};

export type IstioOutcome<T> = ({ ok: true } & T) | IstioFailure;

/** `GET /api/istio`: every resource, the findings on them, and the kinds that could not be read. */
export interface IstioConfigList {
  items: MeshResource[];
  validations: Validation[];
  /** A kind whose read failed (the rest is still shown). */
  failures: { kind: string; message: string }[];
}

/** `GET /api/istio/{ns}/{kind}/{name}`: one resource as stored. */
export interface IstioResourceAnswer {
  resource: MeshResource;
}

/** A control plane failure in words, with its causes. */
export function failureOf(failure: Failure): IstioFailure {
  const detail = failure.message;
  switch (failure.status) {
    case 0:
      return { ok: false, kind: 'unavailable', message: `The control plane cannot be reached (${detail}).` };
    case 401:
      return {
        ok: false,
        kind: 'unauthorized',
        message: 'The control plane refused the dashboard’s token; check MESH_CONTROL_TOKEN.',
      };
    case 403:
      return { ok: false, kind: 'forbidden', message: `The control plane refused: ${detail}` };
    case 404:
      return { ok: false, kind: 'not-found', message: `Not found on the control plane: ${detail}` };
    case 409:
      return { ok: false, kind: 'conflict', message: detail };
    case 400:
    case 422:
      return {
        ok: false,
        kind: 'invalid',
        message: `The control plane rejected the resource: ${detail}`,
        causes: failure.causes,
      };
    default:
      return { ok: false, kind: 'error', message: `The control plane answered ${failure.status}: ${detail}` };
  }
}
