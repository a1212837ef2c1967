// Kubernetes list paging: `?limit=N` answers at most N items and a `metadata.continue` token when more
// remain; `?continue=TOKEN` goes on after the last item sent. Items are in (namespace, name) order, so
// the token names the last one. Later pages see the current state, not a snapshot (the watch from the
// first page's resourceVersion brings a client up to date, as an informer does).
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { badRequest } from './status';

export interface Page {
  items: MeshResource[];
  continue?: string;
  remainingItemCount?: number;
}

const keyOf = (o: MeshResource) => `${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // reported below
  }
  throw badRequest('invalid continue token: list again without it');
}

/** The page of `sorted` (namespace, name order) that `limit` and `continue` ask for. */
export function pageOf(
  sorted: readonly MeshResource[],
  limitParam: string | null,
  token: string | null,
): Page {
  if (limitParam !== null && limitParam !== '' && !/^\d+$/.test(limitParam))
    throw badRequest(`invalid limit ${limitParam.slice(0, 40)}`);
  const limit = limitParam ? Number(limitParam) : 0; // 0: no limit, as Kubernetes reads it
  let start = 0;
  if (token) {
    const after = decodeToken(token);
    while (start < sorted.length && keyOf(sorted[start] as MeshResource) <= after) start++;
  }
  if (limit === 0 || sorted.length - start <= limit) return { items: sorted.slice(start) };
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1] as MeshResource;
  return {
    items,
    continue: Buffer.from(JSON.stringify({ after: keyOf(last) })).toString('base64url'),
    remainingItemCount: sorted.length - start - limit,
  };
}
