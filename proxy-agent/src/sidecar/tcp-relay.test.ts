import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ownReadBuffersSupported, relay } from './tcp-relay';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Reads everything to the end, slowly (a pause after every chunk), and hashes it; then answers `reply`. */
function slowSink(reply: Buffer): Promise<{ port: number; got: Promise<{ bytes: number; sha: string }> }> {
  let done: (v: { bytes: number; sha: string }) => void = () => {};
  const got = new Promise<{ bytes: number; sha: string }>((r) => {
    done = r;
  });
  const server = createServer({ allowHalfOpen: true }, (s) => {
    const hash = createHash('sha256');
    let bytes = 0;
    s.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
      s.pause();
      setTimeout(() => s.resume(), 1);
    });
    s.on('end', () => {
      done({ bytes, sha: hash.digest('hex') });
      s.end(reply);
    });
  });
  return listen(server).then((port) => ({ port, got }));
}

/**
 * A proxy as the sidecar's: the first chunk is read and put back (protocol detection), more may come while
 * the upstream connects, then both directions are relayed and each end passed on. `meddle` runs on the
 * accepted socket after the switch (a stray resume must not break anything).
 */
function proxy(target: number, meddle?: (down: Socket) => void): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (down) => {
    down.once('data', (first: Buffer) => {
      down.pause();
      down.unshift(first);
      const up = connect(target, '127.0.0.1');
      up.once('connect', () => {
        relay(down, up, () => {});
        relay(up, down, () => {});
        down.once('end', () => up.end());
        up.once('end', () => down.end());
        meddle?.(down);
      });
    });
  });
  return listen(server);
}

/** Sends `payload` in pieces, half-closes, and reads the answer to the end. */
function exchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    s.on('error', reject);
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => {
      resolve(Buffer.concat(parts));
      s.destroy();
    });
    // A small first piece (what detection reads), then the rest as one write.
    s.write(payload.subarray(0, 100));
    setImmediate(() => s.end(payload.subarray(100)));
  });
}

describe('relay', () => {
  it('reads plain TCP sockets into its own buffers on this Node', () => {
    // Were this false, every connection would fall back to 'data' events (half the throughput per CPU).
    expect(ownReadBuffersSupported()).toBe(true);
  });

  it('carries multi-MB random payloads both ways unchanged through a slow reader, bytes put back first', async () => {
    const up = randomBytes(12 * 1024 * 1024 + 7);
    const down = randomBytes(3 * 1024 * 1024 + 3);
    const sink = await slowSink(down);
    const port = await proxy(sink.port);
    const answer = await exchange(port, up);
    const got = await sink.got;
    expect(got.bytes).toBe(up.length);
    expect(got.sha).toBe(sha(up));
    expect(answer.length).toBe(down.length);
    expect(sha(answer)).toBe(sha(down));
  }, 30_000);

  it('never reads into a buffer a pending write points at, whoever resumes the socket', async () => {
    const up = randomBytes(8 * 1024 * 1024);
    const sink = await slowSink(Buffer.alloc(0));
    const port = await proxy(sink.port, (down) => {
      const timer = setInterval(() => down.resume(), 1);
      down.once('close', () => clearInterval(timer));
    });
    await exchange(port, up);
    const got = await sink.got;
    expect(got.bytes).toBe(up.length);
    expect(got.sha).toBe(sha(up));
  }, 30_000);

  it('passes on a half-close that came before the switch, the other direction still flowing', async () => {
    const sink = await slowSink(Buffer.from('BYE\n'));
    const port = await proxy(sink.port);
    const answer = await exchange(port, Buffer.from('x'.repeat(200)));
    expect(answer.toString()).toBe('BYE\n');
    expect((await sink.got).bytes).toBe(200);
  });
});
