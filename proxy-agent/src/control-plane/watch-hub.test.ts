import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { ApiError } from './status';
import { eventLine, type WatchEvent, WatchHub } from './watch-hub';

const event = (
  rv: number,
  namespace = 'default',
  kind: MeshResource['kind'] = 'VirtualService',
): WatchEvent => ({
  type: 'MODIFIED',
  object: {
    apiVersion: 'networking.istio.io/v1',
    kind,
    metadata: { name: `r${rv}`, namespace, resourceVersion: String(rv) },
    spec: { hosts: ['a'] },
  } as MeshResource,
});

describe('WatchHub', () => {
  it('replays the events after the given version, then delivers new ones in order', () => {
    const hub = new WatchHub(10);
    hub.publish([event(11), event(12)], 12);
    hub.publish([event(13)], 13);
    const got: string[] = [];
    const sub = hub.subscribe({ kind: 'VirtualService' }, 11, (es) => {
      for (const e of es) got.push(e.object.metadata.resourceVersion as string);
    });
    expect(sub.replay.map((e) => e.object.metadata.resourceVersion)).toEqual(['12', '13']);
    hub.publish([event(14), event(15, 'other'), event(16, 'default', 'DestinationRule')], 16);
    expect(got).toEqual(['14', '15']);
    sub.unsubscribe();
    hub.publish([event(17)], 17);
    expect(got).toEqual(['14', '15']);
  });

  it('filters by namespace', () => {
    const hub = new WatchHub(0);
    hub.publish([event(1, 'a'), event(2, 'b')], 2);
    expect(hub.subscribe({ kind: 'VirtualService', namespace: 'b' }, 0, () => {}).replay).toHaveLength(1);
  });

  it('answers Expired (410) for a version older than the bounded history or from the future', () => {
    const hub = new WatchHub(0, 2);
    hub.publish([event(1), event(2), event(3)], 3);
    expect(hub.subscribe({ kind: 'VirtualService' }, 1, () => {}).replay).toHaveLength(2);
    for (const rv of [0, 4]) {
      let err: unknown;
      try {
        hub.subscribe({ kind: 'VirtualService' }, rv, () => {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).toStatus()).toMatchObject({ code: 410, reason: 'Expired' });
    }
  });

  it('bounds the history by size too: large events push the oldest out', () => {
    const size = eventLine(event(1)).length;
    const hub = new WatchHub(0, 1000, size * 2);
    hub.publish([event(1), event(2)], 2);
    expect(hub.subscribe({ kind: 'VirtualService' }, 0, () => {}).replay).toHaveLength(2);
    hub.publish([event(3)], 3);
    expect(() => hub.subscribe({ kind: 'VirtualService' }, 0, () => {})).toThrow(ApiError);
    expect(hub.subscribe({ kind: 'VirtualService' }, 1, () => {}).replay).toHaveLength(2);
  });

  it('forgets what its store compacted: resuming from before it is Expired', () => {
    const hub = new WatchHub(0, 10);
    const o = (rv: number) => ({
      type: 'ADDED' as const,
      object: { kind: 'ServiceEntry', metadata: { name: `s${rv}`, resourceVersion: String(rv) } } as never,
    });
    hub.publish([o(1), o(2), o(3)], 3);
    hub.forget(2);
    expect(() => hub.subscribe({ kind: 'ServiceEntry' }, 1, () => {})).toThrow(/too old/);
    expect(hub.subscribe({ kind: 'ServiceEntry' }, 2, () => {}).replay).toHaveLength(1);
  });
});
