import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkHandleWrite, disableHandleWrite, resolveHandleWrite, writeOut } from './handle-write';

const realBindings = () => {
  const binding = (process as unknown as { binding(name: string): unknown }).binding;
  return { streamWrap: binding('stream_wrap'), tcpWrap: binding('tcp_wrap') };
};

/** A server that hands its accepted socket over, paused (nothing read until the test resumes it). */
async function pair(): Promise<{ server: Server; client: Socket; peer: Socket }> {
  const server = createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection');
  const client = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  return { server, client, peer };
}

/** Everything `peer` reads until the client ends. */
function drainAll(peer: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  peer.on('data', (c: Buffer) => chunks.push(c));
  peer.resume();
  return once(peer, 'end').then(() => Buffer.concat(chunks));
}

/** A Buffer of `size` bytes that says which piece it is in every byte (so a reordering shows). */
function piece(i: number, size: number): Buffer {
  return Buffer.alloc(size, `${String(i).padStart(6, '0')}|`);
}

const servers: Server[] = [];
afterEach(() => {
  disableHandleWrite(false);
  for (const s of servers.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('the start-up check of direct handle writes', () => {
  it("writes through this Node's handles, without a warning", () => {
    const lines: string[] = [];
    expect('unavailable' in checkHandleWrite()).toBe(false);
    expect(resolveHandleWrite((l) => lines.push(l), realBindings)).toBe(true);
    expect(lines).toEqual([]);
  });

  it('falls back to socket.write with a warning when the bindings are missing or of another shape', () => {
    const real = realBindings() as { streamWrap: Record<string, unknown>; tcpWrap: Record<string, unknown> };
    const cases: Array<[() => { streamWrap: unknown; tcpWrap: unknown }, RegExp]> = [
      [
        () => {
          throw new Error('No such module: stream_wrap');
        },
        /stream_wrap cannot be loaded/,
      ],
      [() => ({ streamWrap: {}, tcpWrap: real.tcpWrap }), /no WriteWrap/],
      [
        () => ({ streamWrap: { ...real.streamWrap, streamBaseState: undefined }, tcpWrap: real.tcpWrap }),
        /no streamBaseState/,
      ],
      [() => ({ streamWrap: real.streamWrap, tcpWrap: {} }), /tcp_wrap has no TCP/],
      [
        () => ({ streamWrap: real.streamWrap, tcpWrap: { ...real.tcpWrap, TCP: class {} } }),
        /TCP handles lack writeBuffer/,
      ],
    ];
    for (const [load, reason] of cases) {
      const lines: string[] = [];
      expect(resolveHandleWrite((l) => lines.push(l), load)).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/warning: fast path writes through socket\.write instead of its handle/);
      expect(lines[0]).toMatch(reason);
    }
  });

  it('falls back when a probe write does not answer as libuv does', () => {
    // A handle that claims every write went out: not what an unconnected TCP handle says (EBADF).
    class Lying {
      writeBuffer(): number {
        return 0;
      }
      writeLatin1String(): number {
        return 0;
      }
      close(): void {}
    }
    const real = realBindings() as { streamWrap: Record<string, unknown>; tcpWrap: Record<string, unknown> };
    const lines: string[] = [];
    const load = () => ({ streamWrap: real.streamWrap, tcpWrap: { ...real.tcpWrap, TCP: Lying } });
    expect(resolveHandleWrite((l) => lines.push(l), load)).toBe(false);
    expect(lines[0]).toMatch(/a probe write on an unconnected handle gave "0 /);
  });
});

describe('writes straight to a plaintext socket handle', () => {
  it('sends the same bytes as socket.write, which it calls only when turned off', async () => {
    const bytes: Buffer[] = [];
    for (const off of [false, true]) {
      disableHandleWrite(off);
      const { server, client, peer } = await pair();
      servers.push(server);
      const got = drainAll(peer);
      const write = vi.spyOn(client, 'write');
      expect(writeOut(client, 'GET /a HTTP/1.1\r\nhost: é\r\n\r\n')).toBe(true);
      expect(writeOut(client, Buffer.from([0, 1, 2, 255]))).toBe(true);
      expect(write).toHaveBeenCalledTimes(off ? 2 : 0);
      client.end();
      bytes.push(await got);
    }
    expect(
      bytes[0]?.equals(Buffer.from('GET /a HTTP/1.1\r\nhost: \xe9\r\n\r\n\x00\x01\x02\xff', 'latin1')),
    ).toBe(true);
    expect(bytes[1]?.equals(bytes[0] as Buffer)).toBe(true);
  });

  it('keeps order and back-pressure when the kernel cannot take a write whole (a reader that does not read)', async () => {
    const { server, client, peer } = await pair();
    servers.push(server);
    const sent: Buffer[] = [];
    let i = 0;
    // Direct writes until one waits in libuv's queue (the peer reads nothing, the socket buffers fill).
    for (let more = true; more && i < 2000; i++) {
      const p = piece(i, 64 * 1024);
      sent.push(p);
      more = writeOut(client, p);
    }
    expect(i).toBeLessThan(2000);
    expect(client.writableLength).toBe(0); // queued in libuv, not in the Writable
    // Later writes, direct or through the Writable, go behind the queued one.
    const tail = [piece(i++, 1000), Buffer.from(`${'x'.repeat(100)}\r\n`, 'latin1')];
    sent.push(tail[0] as Buffer, tail[1] as Buffer);
    expect(writeOut(client, tail[0] as Buffer)).toBe(false);
    client.write(tail[1] as Buffer);
    expect(writeOut(client, 'after the Writable')).toBe(true); // through socket.write: it holds a write
    sent.push(Buffer.from('after the Writable', 'latin1'));
    const drained = once(client, 'drain');
    const got = drainAll(peer);
    await drained;
    client.end();
    expect((await got).equals(Buffer.concat(sent))).toBe(true);
  });

  it('survives a peer that resets mid-write: the socket is destroyed with the error, nothing thrown', async () => {
    const { server, client, peer } = await pair();
    servers.push(server);
    for (let i = 0, more = true; more && i < 2000; i++) more = writeOut(client, piece(i, 64 * 1024));
    const errored = once(client, 'error');
    const closed = new Promise((resolve) => client.once('close', resolve));
    peer.resetAndDestroy();
    const [err] = (await errored) as [Error & { code?: string; syscall?: string }];
    await closed;
    // The read side or the queued write sees it first; either way the socket ends with the error.
    expect(['ECONNRESET', 'EPIPE']).toContain(err.code);
    expect(client.destroyed).toBe(true);
    // A write after it goes through socket.write (the socket is gone), as before: no throw.
    expect(() => writeOut(client, 'late')).not.toThrow();
  });

  it('leaves TLS and not yet connected sockets to socket.write', async () => {
    const server = createServer((s) => s.resume());
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    const write = vi.spyOn(client, 'write');
    writeOut(client, 'early'); // connecting: the Writable holds it until connected
    expect(write).toHaveBeenCalledTimes(1);
    await once(client, 'connect');
    client.destroy();
  });
});
