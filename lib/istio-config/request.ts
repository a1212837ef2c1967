// What the Istio Config route handlers accept: path segments and the body `{resource}`, checked only as
// far as the dashboard must (a known kind, names that match the URL, a resourceVersion to replace at);
// the resource's own validation is the control plane's.
import { z } from 'zod';
import type { MeshKindName } from '../mesh-config/kinds';
import type { MeshResource } from '../mesh-config/schema';
import { kindOfSegment } from './kinds';

/** Bytes of a request body the handlers read at most (`MESHLENS_ISTIO_MAX_BODY_BYTES`). */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024;

export function maxBodyBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const n = Number(env.MESHLENS_ISTIO_MAX_BODY_BYTES);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_BODY_BYTES;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ResourceParams {
  namespace: string;
  kind: MeshKindName;
  name: string;
}

export function parseResourceParams(raw: {
  namespace: string;
  kind: string;
  name: string;
}): Parsed<ResourceParams> {
  const kind = kindOfSegment(raw.kind);
  if (!kind)
    return { ok: false, message: `${JSON.stringify(raw.kind)} is not a kind the control plane holds` };
  for (const [what, value] of [
    ['namespace', raw.namespace],
    ['name', raw.name],
  ] as const) {
    if (!DNS1123_LABEL.test(value))
      return { ok: false, message: `${what} ${JSON.stringify(value)} is not a DNS-1123 label` };
  }
  return { ok: true, value: { namespace: raw.namespace, kind, name: raw.name } };
}

const BodySchema = z.object({
  resource: z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({
      name: z.string(),
      namespace: z.string().optional(),
      resourceVersion: z.string().optional(),
    }),
  }),
});

/** The body of a create or replace: `{resource}`, its kind known; the rest is for the control plane to judge. */
export async function parseResourceBody(
  request: Request,
  limit = maxBodyBytes(),
): Promise<Parsed<MeshResource>> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) return { ok: false, message: `the body is larger than ${limit} bytes` };
  const text = await request.text();
  if (Buffer.byteLength(text) > limit)
    return { ok: false, message: `the body is larger than ${limit} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the request body is not JSON' };
  }
  const r = BodySchema.safeParse(json);
  if (!r.success)
    return {
      ok: false,
      message: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  if (!kindOfSegment(r.data.resource.kind))
    return {
      ok: false,
      message: `kind ${JSON.stringify(r.data.resource.kind)} is not one the control plane holds`,
    };
  // Its shape beyond these fields is checked by the control plane, which answers 422 with the causes.
  return { ok: true, value: r.data.resource as unknown as MeshResource };
}

/** A replace names the resource of its URL and the resourceVersion it was read at. */
export function checkReplace(resource: MeshResource, params: ResourceParams): Parsed<MeshResource> {
  const { metadata } = resource;
  if (
    resource.kind !== params.kind ||
    metadata.name !== params.name ||
    (metadata.namespace ?? params.namespace) !== params.namespace
  )
    return {
      ok: false,
      message:
        'kind, metadata.name and metadata.namespace must be those of the URL (create a new resource to rename)',
    };
  if (!metadata.resourceVersion)
    return {
      ok: false,
      message: 'metadata.resourceVersion is required: it is how a concurrent change is noticed',
    };
  return { ok: true, value: { ...resource, metadata: { ...metadata, namespace: params.namespace } } };
}
