import { type AddressInfo, connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { answer, MAX_LINE_BYTES, StoreClient, splitLines, startStore } from './store';

describe('the demo store line protocol', () => {
  it('answers GET with OK and the JSON, NF for an unknown key, PING, and ERR otherwise', () => {
    expect(answer('GET ratings/0')).toBe('OK {"Reviewer1":5,"Reviewer2":4}');
    expect(answer('GET nothing')).toBe('NF');
    expect(answer('PING')).toBe('PONG');
    expect(answer('DROP ratings')).toBe('ERR unknown command');
  });

  it('splits complete lines (CRLF too) and flags an unfinished line past the cap', () => {
    expect(splitLines('PING\r\nGET a\nGE')).toEqual({ lines: ['PING', 'GET a'], rest: 'GE', tooLong: false });
    expect(splitLines('x'.repeat(MAX_LINE_BYTES + 1)).tooLong).toBe(true);
  });
});

describe('StoreClient', () => {
  it('reads through a CONNECT tunnel, pipelining in order, as ratings reads it', async () => {
    const store = await startStore(0);
    // A minimal CONNECT proxy standing in for the sidecar's outbound port.
    const proxy = createServer((down) => {
      // The CONNECT head comes in one chunk on loopback; the bytes after it are the client's.
      down.once('data', () => {
        const s = connect(store.port, '127.0.0.1', () => {
          down.write('HTTP/1.1 200 Connection established\r\n\r\n');
          down.pipe(s).pipe(down);
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const client = new StoreClient((proxy.address() as AddressInfo).port, 'mongodb', 27017);
    const [a, b] = await Promise.all([client.get('ratings/0'), client.get('missing')]);
    expect(a.value).toBe('{"Reviewer1":5,"Reviewer2":4}');
    expect(b.error).toBe('store answered NF');
    client.close();
    await new Promise((r) => proxy.close(r));
    await store.close();
  });
});
