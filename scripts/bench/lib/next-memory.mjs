// The Next server's memory as the graph bench prints it: each process that loaded `next-probe.cjs` asked over its
// socket (resident, V8 heap used and total, external and ArrayBuffers), after a full GC when asked, and a
// plateau check over repeated samples (is what the heap holds still growing at the end?).
import { readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export const PROBE = new URL('./next-probe.cjs', import.meta.url).pathname;

function ask(path, command) {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection(path, () => socket.write(`${command}\n`));
    socket.setEncoding('utf8');
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('close', () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
    socket.on('error', () => resolve(undefined));
  });
}

/**
 * Every probed process' memory (`memory`, or `gc` for after a full collection), summed over the processes (`next
 * start` and the server it runs), in MB, with the largest process' own figures (the one that builds graphs).
 */
export async function nextMemory(dir, command = 'memory') {
  const socks = readdirSync(dir).filter((f) => /^probe-\d+\.sock$/.test(f));
  const all = (await Promise.all(socks.map((s) => ask(join(dir, s), command)))).filter(
    (m) => m && m.rss !== undefined,
  );
  const mb = (b) => b / 1024 / 1024;
  const sum = (k) => mb(all.reduce((a, m) => a + m[k], 0));
  return {
    processes: all.length,
    // The server's clock less this process' (ms), from the first process asked.
    clockShiftMs: all.length > 0 ? all[0].now - Date.now() : 0,
    rss: sum('rss'),
    heapUsed: sum('heapUsed'),
    heapTotal: sum('heapTotal'),
    external: sum('external'),
    arrayBuffers: sum('arrayBuffers'),
    malloced: sum('malloced'),
  };
}

export function formatMemory(m) {
  if (!m || m.processes === 0) return 'not probed';
  return (
    `resident ${m.rss.toFixed(0)} MB; V8 heap used ${m.heapUsed.toFixed(0)} of ${m.heapTotal.toFixed(0)} MB, ` +
    `external ${m.external.toFixed(0)} MB (ArrayBuffers ${m.arrayBuffers.toFixed(0)}), malloc ${m.malloced.toFixed(0)} MB`
  );
}

/**
 * Whether samples (MB, in order) have levelled off: the last third's largest against the middle third's largest,
 * within `slackMb` or 5 %. Growth by a constant amount each poll shows as a rise of a third of the polls' growth.
 */
export function plateau(samples, slackMb = 20) {
  const third = Math.floor(samples.length / 3);
  if (third < 1) return { ok: undefined, text: 'too few samples' };
  const middle = Math.max(...samples.slice(third, 2 * third));
  const last = Math.max(...samples.slice(2 * third));
  const rise = last - middle;
  const ok = rise <= Math.max(slackMb, middle * 0.05);
  return {
    ok,
    text: `${middle.toFixed(0)} → ${last.toFixed(0)} MB (largest of the middle and last thirds, ${rise >= 0 ? '+' : ''}${rise.toFixed(0)} MB)`,
  };
}
