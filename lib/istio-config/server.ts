// The Istio Config reads and writes against the control plane, acting for the signed-in user. I/O only:
// the failures' wording is in outcome.ts and the checks in lib/mesh-config/validations.
import 'server-only';
import { MESH_KINDS, type MeshKindName } from '../mesh-config/kinds';
import type { MeshResource } from '../mesh-config/schema';
import { controlPlaneClient } from '../mesh-config/server';
import { validateMesh } from '../mesh-config/validations';
import { failureOf, type IstioConfigList, type IstioOutcome, type IstioResourceAnswer } from './outcome';

export async function readIstioConfig(): Promise<IstioOutcome<IstioConfigList>> {
  const client = controlPlaneClient();
  const lists = await Promise.all(MESH_KINDS.map((kind) => client.list(kind)));
  const items: MeshResource[] = [];
  const failures: IstioConfigList['failures'] = [];
  lists.forEach((l, i) => {
    if (l.ok) items.push(...l.value.items);
    else failures.push({ kind: MESH_KINDS[i] ?? '', message: failureOf(l).message });
  });
  // Nothing read at all: the control plane is down or refuses us, which the page says as such.
  const first = lists.find((l) => !l.ok);
  if (items.length === 0 && first && !first.ok) return failureOf(first);
  return { ok: true, items, validations: validateMesh(items), failures };
}

export async function readResource(
  kind: MeshKindName,
  namespace: string,
  name: string,
): Promise<IstioOutcome<IstioResourceAnswer>> {
  const r = await controlPlaneClient().get(kind, namespace, name);
  return r.ok ? { ok: true, resource: r.value } : failureOf(r);
}

export async function createResource(
  resource: MeshResource,
  user: string,
): Promise<IstioOutcome<IstioResourceAnswer>> {
  const r = await controlPlaneClient(user).create(resource);
  if (r.ok) return { ok: true, resource: r.value };
  const failure = failureOf(r);
  return r.status === 409
    ? { ...failure, message: `${resource.kind} ${resource.metadata.name} already exists` }
    : failure;
}

/** Replaces at the resource's resourceVersion; on a conflict, answers the server's version beside it. */
export async function replaceResource(
  resource: MeshResource,
  user: string,
): Promise<IstioOutcome<IstioResourceAnswer>> {
  const client = controlPlaneClient(user);
  const r = await client.replace(resource);
  if (r.ok) return { ok: true, resource: r.value };
  if (r.status !== 409) return failureOf(r);
  const current = await client.get(
    resource.kind,
    resource.metadata.namespace ?? 'default',
    resource.metadata.name,
  );
  return {
    ok: false,
    kind: 'conflict',
    message: current.ok
      ? `${resource.kind} ${resource.metadata.name} changed on the server since you loaded it (now at version ${current.value.metadata.resourceVersion}).`
      : `${resource.kind} ${resource.metadata.name} was deleted on the server since you loaded it.`,
    ...(current.ok ? { current: current.value } : {}),
  };
}

export async function deleteResource(
  kind: MeshKindName,
  namespace: string,
  name: string,
  user: string,
): Promise<IstioOutcome<object>> {
  const r = await controlPlaneClient(user).delete(kind, namespace, name);
  return r.ok ? { ok: true } : failureOf(r);
}
