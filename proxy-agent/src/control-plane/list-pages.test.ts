import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { pageOf } from './list-pages';
import { ApiError } from './status';

const vs = (namespace: string, name: string) =>
  ({ kind: 'VirtualService', metadata: { namespace, name }, spec: { hosts: [name] } }) as MeshResource;
const all = [vs('a', 'r-1'), vs('a', 'r1'), vs('b', 'a'), vs('b', 'b'), vs('c', 'x')];

describe('list pages', () => {
  it('answers everything without a limit, and pages through with limit and continue', () => {
    expect(pageOf(all, null, null).items).toHaveLength(5);
    const first = pageOf(all, '2', null);
    expect(first.items.map((o) => o.metadata.name)).toEqual(['r-1', 'r1']);
    expect(first.remainingItemCount).toBe(3);
    const second = pageOf(all, '2', first.continue as string);
    expect(second.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    const third = pageOf(all, '2', second.continue as string);
    expect(third.items.map((o) => o.metadata.name)).toEqual(['x']);
    expect(third.continue).toBeUndefined();
  });

  it('refuses a limit that is not a number and a forged continue token', () => {
    expect(() => pageOf(all, '-1', null)).toThrow(ApiError);
    expect(() => pageOf(all, '2', 'not-a-token')).toThrow(/invalid continue token/);
  });
});
