import { describe, expect, it } from 'vitest';
import { codeColour } from './drilldown-charts';

describe('drilldown code colours', () => {
  it('colours gRPC OK as success and any other gRPC status as an error, HTTP codes by class', () => {
    expect(codeColour('0 OK')).toBe(codeColour('200'));
    expect(codeColour('14 UNAVAILABLE')).toBe(codeColour('503'));
    expect(codeColour('0')).not.toBe(codeColour('200'));
  });
});
