import { describe, expect, it } from 'vitest';
import { healthAction, healthStatus, isHealthy } from './registry';

describe('registration health', () => {
  it('marks an instance unhealthy past the TTL, and removes it later', () => {
    expect(healthAction(true, 0, 1000, 1500, 6000)).toBe('none');
    expect(healthAction(true, 0, 1600, 1500, 6000)).toBe('mark-unhealthy');
    expect(healthAction(false, 0, 1600, 1500, 6000)).toBe('none');
    expect(healthAction(false, 0, 6001, 1500, 6000)).toBe('remove');
  });

  it('reads only an explicit Healthy=False as unhealthy', () => {
    expect(isHealthy({})).toBe(true);
    expect(isHealthy({ status: healthStatus(true, new Date(), 'ok') })).toBe(true);
    expect(isHealthy({ status: healthStatus(false, new Date(), 'silent') })).toBe(false);
  });
});
