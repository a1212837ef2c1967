import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedHandler } from './guarded-handler';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** Sends raw bytes, answers the status line of the reply. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(request));
    let data = '';
    s.on('data', (d) => {
      data += d.toString('latin1');
    });
    s.on('end', () => resolve(data.split('\r\n')[0] ?? ''));
    s.on('error', reject);
  });
}

async function serve(handler: Parameters<typeof guardedHandler>[0], logs: string[]): Promise<number> {
  const s = createServer(guardedHandler(handler, { name: 'test', log: (l) => logs.push(l) }));
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

describe('guardedHandler', () => {
  it('answers 400 for a request target that is not a URL, logs it, and keeps serving', async () => {
    const logs: string[] = [];
    const port = await serve((req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      res.end(url.pathname);
    }, logs);
    expect(await raw(port, 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(logs.join('\n')).toMatch(/test: bad request on GET \/\/\[/);
    expect(await raw(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 200 OK',
    );
  });

  it('answers 500 for a handler that throws or rejects', async () => {
    const logs: string[] = [];
    const port = await serve(async (req) => {
      if (req.url === '/sync') throw new Error('boom');
      await Promise.resolve();
      throw new Error('later');
    }, logs);
    expect(await raw(port, 'GET /sync HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 500 Internal Server Error',
    );
    expect(await raw(port, 'GET /async HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 500 Internal Server Error',
    );
    expect(logs).toHaveLength(2);
  });
});
