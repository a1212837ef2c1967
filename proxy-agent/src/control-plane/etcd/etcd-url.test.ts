import { describe, expect, it } from 'vitest';
import { parseStoreSpec } from './etcd-url';

describe('parseStoreSpec', () => {
  it('defaults to the file store', () => {
    expect(parseStoreSpec(undefined)).toEqual({ kind: 'file', hosts: [] });
    expect(parseStoreSpec('file')).toEqual({ kind: 'file', hosts: [] });
  });
  it('lists every etcd member as a client URL', () => {
    expect(parseStoreSpec('etcd://127.0.0.1:2379,localhost:22379,[::1]:2379')).toEqual({
      kind: 'etcd',
      hosts: ['http://127.0.0.1:2379', 'http://localhost:22379', 'http://[::1]:2379'],
    });
  });
  it('refuses what is not host:port', () => {
    expect(() => parseStoreSpec('etcd://a')).toThrow(/not host:port/);
    expect(() => parseStoreSpec('etcd://a:99999')).toThrow(/out of range/);
    expect(() => parseStoreSpec('redis://a:1')).toThrow(/must be "file" or etcd/);
  });
});
