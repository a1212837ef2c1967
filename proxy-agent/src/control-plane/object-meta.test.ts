import { describe, expect, it } from 'vitest';
import { MAX_ANNOTATIONS_BYTES, metadataCauses } from './object-meta';

describe('object metadata bounds', () => {
  it('accepts the labels and annotations the mesh uses', () => {
    expect(
      metadataCauses({
        labels: { app: 'reviews', version: 'v1', 'service.istio.io/canonical-name': 'reviews', empty: '' },
        annotations: { 'prometheus.io/port': '15090', 'istio.io/autoRegistrationGroup': 'reviews-v1' },
      }),
    ).toEqual([]);
  });

  it('names every label key or value outside the bounds', () => {
    const causes = metadataCauses({
      labels: { app: 'x'.repeat(64), 'bad key': 'v', 'Upper.Case/name': 'v', ok: 'spaces in value' },
    });
    expect(causes.map((c) => c.field)).toEqual([
      'metadata.labels["app"]',
      'metadata.labels["bad key"]',
      'metadata.labels["Upper.Case/name"]',
      'metadata.labels["ok"]',
    ]);
  });

  it('bounds the annotations by total size', () => {
    expect(metadataCauses({ annotations: { a: 'x'.repeat(MAX_ANNOTATIONS_BYTES) } })).toEqual([
      { field: 'metadata.annotations', message: expect.stringMatching(/not be more than 262144 bytes/) },
    ]);
  });
});
