// Positions in half-typed YAML: the path of open keys and items above the cursor, and the keys set beside it.
import { describe, expect, it } from 'vitest';
import { contextAt } from './yaml-path';

const at = (text: string) => contextAt(text.replace('|', ''), text.indexOf('|'));

describe('contextAt', () => {
  it('top level, with the keys already set', () => {
    expect(at('apiVersion: v1\nkind: VirtualService\n|')).toMatchObject({
      path: [],
      siblings: ['kind', 'apiVersion'],
    });
  });
  it('inside nested maps', () => {
    expect(at('spec:\n  trafficPolicy:\n    loadBalancer:\n      sim|').path).toEqual([
      'spec',
      'trafficPolicy',
      'loadBalancer',
    ]);
  });
  it('inside a sequence item, whether the dash is indented or level with its key', () => {
    const text =
      'spec:\n  http:\n  - route:\n    - destination:\n        host: a\n      weight: 50\n    ret|';
    expect(at(text)).toMatchObject({ path: ['spec', 'http', '*'], siblings: ['route'] });
    expect(at('spec:\n  http:\n    - route:\n        - destination:\n            ho|').path).toEqual([
      'spec',
      'http',
      '*',
      'route',
      '*',
      'destination',
    ]);
  });
  it('on a new item: the item is the map', () => {
    expect(at('spec:\n  subsets:\n  - name: v1\n  - |').path).toEqual(['spec', 'subsets', '*']);
  });
  it('leaves a less indented key', () => {
    expect(at('spec:\n  hosts:\n  - a\nmetadata:\n  |').path).toEqual(['metadata']);
  });
  it('on a value: the key it belongs to', () => {
    expect(at('spec:\n  trafficPolicy:\n    loadBalancer:\n      simple: RO|')).toMatchObject({
      path: ['spec', 'trafficPolicy', 'loadBalancer'],
      valueKey: 'simple',
    });
  });
});
