import { describe, expect, it, vi } from 'vitest';
import { allowedHosts, readsNeedSession, SIGN_IN_FREE_FAILURES, signInLimits } from './settings';

describe('dashboard security settings', () => {
  it('guards reads only in token mode', () => {
    expect(readsNeedSession({ MESHLENS_AUTH: 'token', MESHLENS_AUTH_READS: '1' })).toBe(true);
    expect(readsNeedSession({ MESHLENS_AUTH_READS: '1' })).toBe(false);
    expect(readsNeedSession({ MESHLENS_AUTH: 'token' })).toBe(false);
  });

  it('reads comma-separated host lists', () => {
    expect(allowedHosts({ MESHLENS_ALLOWED_HOSTS: ' mesh.example.com, ops:8443 ,,' })).toEqual([
      'mesh.example.com',
      'ops:8443',
    ]);
  });

  it('keeps the default for a malformed limit and says so', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const limits = signInLimits({
      MESHLENS_SIGN_IN_FREE_FAILURES: 'many',
      MESHLENS_SIGN_IN_CLIENTS_MAX: '50',
    });
    expect(limits.freeFailures).toBe(SIGN_IN_FREE_FAILURES);
    expect(limits.clientsMax).toBe(50);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('MESHLENS_SIGN_IN_FREE_FAILURES=many'));
    log.mockRestore();
  });
});
