import { describe, expect, it } from 'vitest';
import { GrpcMessageCounter, grpcMethodOf, grpcStatusForHttp, grpcStatusOf } from './grpc-frames';

function message(len: number): Buffer {
  const b = Buffer.alloc(5 + len, 7);
  b[0] = 0;
  b.writeUInt32BE(len, 1);
  return b;
}

describe('GrpcMessageCounter', () => {
  it('counts messages across arbitrary chunk boundaries', () => {
    const all = Buffer.concat([message(3), message(0), message(300), message(1)]);
    for (const size of [1, 2, 5, 7, 64, all.length]) {
      const c = new GrpcMessageCounter();
      for (let i = 0; i < all.length; i += size) c.push(all.subarray(i, i + size));
      expect(c.messages).toBe(4);
    }
  });
  it('counts a message once its prefix is in, before its body', () => {
    const c = new GrpcMessageCounter();
    c.push(message(100).subarray(0, 6));
    expect(c.messages).toBe(1);
  });
});

describe('gRPC status and method', () => {
  it('reads grpc-status, refusing junk', () => {
    expect(grpcStatusOf({ 'grpc-status': '14' })).toBe(14);
    expect(grpcStatusOf({ 'grpc-status': ['0'] })).toBe(0);
    expect(grpcStatusOf({ 'grpc-status': 'x' })).toBeUndefined();
    expect(grpcStatusOf({})).toBeUndefined();
  });
  it('maps HTTP statuses as the gRPC spec does', () => {
    expect(grpcStatusForHttp(503)).toBe(14);
    expect(grpcStatusForHttp(404)).toBe(12);
    expect(grpcStatusForHttp(500)).toBe(2);
  });
  it('splits /package.Service/Method', () => {
    expect(grpcMethodOf('/demo.Ratings/Get')).toEqual({ service: 'demo.Ratings', method: 'Get' });
    expect(grpcMethodOf('/x')).toBeUndefined();
  });
});
