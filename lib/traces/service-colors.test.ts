import { describe, expect, it } from 'vitest';
import { SERVICE_PALETTE, serviceColor, serviceColors } from './service-colors';

describe('serviceColors', () => {
  it('gives every service of a set its own colour, the same for the same set in any order', () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i}.default`);
    const colours = serviceColors(names);
    expect(new Set(colours.values()).size).toBe(12);
    expect(serviceColors([...names].reverse())).toEqual(colours);
  });

  it("keeps a service's hashed colour when it is free", () => {
    expect(serviceColors(['reviews.bookinfo']).get('reviews.bookinfo')).toBe(
      serviceColor('reviews.bookinfo'),
    );
    expect(SERVICE_PALETTE).toContain(serviceColor('anything'));
  });
});
