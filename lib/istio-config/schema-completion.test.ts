// Completion from the zod schema: field names where a map is, values where an enum is.
import { describe, expect, it } from 'vitest';
import { suggestAt } from './schema-completion';

const labels = (text: string) => suggestAt(text.replace('|', ''), text.indexOf('|')).map((s) => s.label);

describe('suggestAt', () => {
  it('offers the fields of a DestinationRule traffic policy', () => {
    const text = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nspec:\n  trafficPolicy:\n    |';
    expect(labels(text)).toEqual(
      expect.arrayContaining(['loadBalancer', 'connectionPool', 'outlierDetection']),
    );
  });
  it('leaves out the fields already set', () => {
    const text =
      'kind: VirtualService\nspec:\n  http:\n  - route:\n    - destination:\n        host: a\n    |';
    const got = labels(text);
    expect(got).toEqual(expect.arrayContaining(['retries', 'timeout', 'fault', 'match']));
    expect(got).not.toContain('route');
  });
  it('offers enum values for a field’s value', () => {
    const text = 'kind: DestinationRule\nspec:\n  trafficPolicy:\n    loadBalancer:\n      simple: |';
    expect(labels(text)).toEqual(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'PASSTHROUGH']);
  });
  it('says nothing without a known kind', () => {
    expect(labels('kind: Secret\n|')).toEqual([]);
  });
});
