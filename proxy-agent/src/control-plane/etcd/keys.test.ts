import { describe, expect, it } from 'vitest';
import { kindPrefix, OBJECTS, objectKeyOf, prefixEnd, SEQUENCE_KEY } from './keys';

describe('etcd keys', () => {
  it('puts objects and the sequence key under one watched prefix', () => {
    const end = prefixEnd(OBJECTS).toString();
    for (const k of [objectKeyOf('VirtualService', 'default', 'reviews'), SEQUENCE_KEY]) {
      expect(k.startsWith(OBJECTS)).toBe(true);
      expect(k < end).toBe(true);
    }
  });
  it('a namespace prefix does not match a longer namespace', () => {
    expect(
      objectKeyOf('DestinationRule', 'bookinfo-2', 'x').startsWith(kindPrefix('DestinationRule', 'bookinfo')),
    ).toBe(false);
  });
  it('range end increments the last byte', () => {
    expect(prefixEnd('a/').toString()).toBe('a0');
  });
});
