import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port';

describe('freePort', () => {
  it('never hands the same port out twice in one process, though none of them is bound yet', async () => {
    // 600 picks from a range of ~12,000 would repeat one about 15 times if each pick were independent.
    const picks: number[] = [];
    for (let i = 0; i < 600; i++) picks.push(await freePort());
    expect(new Set(picks).size).toBe(picks.length);
  });

  it('hands out a port that a server can then bind on 127.0.0.1', async () => {
    const port = await freePort();
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', resolve);
    });
    const address = srv.address();
    await new Promise((r) => srv.close(r));
    expect(typeof address === 'object' && address?.port).toBe(port);
  });
});
