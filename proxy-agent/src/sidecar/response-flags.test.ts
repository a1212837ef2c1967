import { describe, expect, it } from 'vitest';
import { Flag, flagString, LOCAL_REPLY } from './response-flags';

describe('flagString', () => {
  it('renders no flag as "-"', () => {
    expect(flagString(0)).toBe('-');
  });

  it('joins several flags in Envoy order whatever order they were set in', () => {
    expect(flagString(Flag.URX | Flag.UT)).toBe('UT,URX');
    expect(flagString(Flag.URX | Flag.UF)).toBe('UF,URX');
    expect(flagString(Flag.FI | Flag.DI)).toBe('DI,FI');
    expect(flagString(Flag.NR)).toBe('NR');
  });
});

describe('LOCAL_REPLY', () => {
  it('answers with the status codes Envoy uses', () => {
    expect(LOCAL_REPLY.NR.status).toBe(404);
    expect(LOCAL_REPLY.UH.status).toBe(503);
    expect(LOCAL_REPLY.UF.status).toBe(503);
    expect(LOCAL_REPLY.UO.status).toBe(503);
    expect(LOCAL_REPLY.UC.status).toBe(503);
    expect(LOCAL_REPLY.UT.status).toBe(504);
  });
});
