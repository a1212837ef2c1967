import { describe, expect, it } from 'vitest';
import { portProtocol, upstreamHttp2 } from './port-protocol';

describe('portProtocol (Istio protocol selection)', () => {
  it('takes the declared protocol first, whatever the name says', () => {
    expect(portProtocol({ name: 'http-web', protocol: 'GRPC' })).toBe('grpc');
    expect(portProtocol({ name: 'grpc-x', protocol: 'TCP' })).toBe('tcp');
  });
  it('reads the name prefix before the dash', () => {
    expect(portProtocol({ name: 'grpc-ratings' })).toBe('grpc');
    expect(portProtocol({ name: 'http2-api' })).toBe('http2');
    expect(portProtocol({ name: 'tcp-mongo' })).toBe('tcp');
    expect(portProtocol({ name: 'mongo' })).toBe('tcp');
    expect(portProtocol({ name: 'grpc-web-ui' })).toBe('http');
    expect(portProtocol({ name: 'http' })).toBe('http');
  });
  it('leaves other names to sniffing, except the server-first ports Istio pins to TCP', () => {
    expect(portProtocol({ name: 'web', number: 8080 })).toBe('unknown');
    expect(portProtocol({ name: 'db', number: 3306 })).toBe('tcp');
    expect(portProtocol({ name: 'x', protocol: 'QUIC' })).toBe('unknown');
  });
  it('goes upstream over HTTP/2 for HTTP2/GRPC ports or an UPGRADE policy on an HTTP port', () => {
    expect(upstreamHttp2('grpc', undefined)).toBe(true);
    expect(upstreamHttp2('http2', 'DO_NOT_UPGRADE')).toBe(true);
    expect(upstreamHttp2('http', 'UPGRADE')).toBe(true);
    expect(upstreamHttp2('http', 'DEFAULT')).toBe(false);
    expect(upstreamHttp2('tcp', 'UPGRADE')).toBe(false);
  });
});
