import { describe, expect, it } from 'vitest';
import { H2_PREFACE, sniffProtocol } from './protocol-sniffer';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('sniffProtocol', () => {
  it('tells the HTTP/2 preface, waiting while the bytes are a prefix of it', () => {
    expect(sniffProtocol(H2_PREFACE)).toBe('h2');
    expect(sniffProtocol(Buffer.concat([H2_PREFACE, b('\0\0\0\x04')]))).toBe('h2');
    expect(sniffProtocol(b('PRI * HT'))).toBe('more');
  });
  it('tells an HTTP/1.x request line once the line is complete', () => {
    expect(sniffProtocol(b('GET /x HTTP/1.1\r\nHost: a\r\n'))).toBe('http1');
    expect(sniffProtocol(b('CONNECT db:27017 HTTP/1.1\r\n'))).toBe('http1');
    expect(sniffProtocol(b('GET /x HTT'))).toBe('more');
    expect(sniffProtocol(b('GE'))).toBe('more');
  });
  it('calls anything else TCP, line protocols that start like HTTP included', () => {
    expect(sniffProtocol(b('GET ratings/0\n'))).toBe('tcp');
    expect(sniffProtocol(b('\x16\x03\x01'))).toBe('tcp');
    expect(sniffProtocol(b('hello'))).toBe('tcp');
    expect(sniffProtocol(b('FETCH /x HTTP/1.1\r\n'))).toBe('tcp');
    expect(sniffProtocol(b('ABCDEFGHIJKLMNOP'))).toBe('tcp');
  });
});
