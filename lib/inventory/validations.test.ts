import { describe, expect, it } from 'vitest';
import type { InventoryItem } from './types';
import { configProblems, withValidations } from './validations';

const item = {
  kind: 'services',
  namespace: 'bookinfo',
  name: 'reviews',
  config: [
    { kind: 'VirtualService', namespace: 'bookinfo', name: 'reviews', reason: 'host' },
    { kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews', reason: 'host' },
    { kind: 'Sidecar', namespace: 'bookinfo', name: 'default', reason: 'namespace-wide' },
  ],
} as unknown as InventoryItem;

describe('withValidations', () => {
  it('marks each applying resource with its validity and findings, counting the problems', () => {
    const [marked] = withValidations(
      [item],
      [
        {
          code: 'KIA1107',
          severity: 'error',
          message: 'Subset not found',
          kind: 'VirtualService',
          namespace: 'bookinfo',
          name: 'reviews',
          path: 'spec.http[0].route[0].destination.subset',
        },
        {
          code: 'KIA0203',
          severity: 'warning',
          message: 'more',
          kind: 'DestinationRule',
          namespace: 'bookinfo',
          name: 'other',
          path: 'spec',
        },
      ],
    );
    expect(marked?.config.map((c) => [c.kind, c.validity, c.findings])).toEqual([
      ['VirtualService', 'error', ['KIA1107 Subset not found (spec.http[0].route[0].destination.subset)']],
      ['DestinationRule', 'valid', []],
      ['Sidecar', 'valid', []],
    ]);
    expect(configProblems(marked as InventoryItem)).toEqual({ errors: 1, warnings: 0 });
  });
});
