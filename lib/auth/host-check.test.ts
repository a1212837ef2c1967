import { describe, expect, it } from 'vitest';
import { checkHost } from './host-check';

describe('checkHost', () => {
  it('answers to the loopback names on any port', () => {
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:41234', '[::1]:3000', 'LOCALHOST:3000'])
      expect(checkHost(host), host).toEqual({ ok: true });
  });

  it('refuses a rebound name even when it resolves to loopback, naming the setting', () => {
    const check = checkHost('rebind.attacker.example:3000');
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.message).toContain('rebind.attacker.example');
      expect(check.message).toContain('MESHLENS_ALLOWED_HOSTS');
    }
    expect(checkHost('localhost.attacker.example').ok).toBe(false);
    expect(checkHost('127.0.0.1.nip.io:3000').ok).toBe(false);
  });

  it('refuses a missing or malformed Host', () => {
    expect(checkHost(null).ok).toBe(false);
    expect(checkHost('').ok).toBe(false);
    expect(checkHost('localhost/evil').ok).toBe(false);
    expect(checkHost('evil@localhost').ok).toBe(false);
    expect(checkHost('local host').ok).toBe(false);
  });

  it('answers to allowed names: any port for a bare name, one port for name:port', () => {
    const allowed = ['mesh.example.com', 'ops.example.com:8443'];
    expect(checkHost('mesh.example.com', allowed).ok).toBe(true);
    expect(checkHost('Mesh.Example.com:443', allowed).ok).toBe(true);
    expect(checkHost('ops.example.com:8443', allowed).ok).toBe(true);
    expect(checkHost('ops.example.com:9000', allowed).ok).toBe(false);
    expect(checkHost('ops.example.com', allowed).ok).toBe(false);
    expect(checkHost('other.example.com', allowed).ok).toBe(false);
  });
});
