// A port free on 127.0.0.1 right now, for a process about to be started on it. Another process may take it
// before it is bound, so callers that start servers on it retry on failure (the demo does). It is picked below
// the kernel's ephemeral range: the OS hands out ports for `listen(0)` and for every outgoing connection from
// that range, so a port taken there could go to any connection in between (EADDRINUSE, seen in the test
// suite's full runs). Below it only another such pick can collide, and each pick is checked bindable first.
// A process never hands out the same port twice (HANDED_OUT remembers the latest picks): the demo picks
// Prometheus' port before the mesh's dozens of instances pick theirs, and none of them is bound until its
// process starts, so without it two of them could get one port (seen in CI: Prometheus' bind refused).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const PICK_HIGH = ephemeralLow() - 1;
const PICK_LOW = Math.max(1024, PICK_HIGH - 12_000);
const PICK_TRIES = 64;
/** Ports this process handed out, oldest first; bounded, as a long-lived test process picks thousands. */
const HANDED_OUT = new Set<number>();
const HANDED_OUT_MAX = 4096;

function handOut(port: number): number {
  HANDED_OUT.add(port);
  if (HANDED_OUT.size > HANDED_OUT_MAX) {
    const oldest = HANDED_OUT.values().next().value;
    if (oldest !== undefined) HANDED_OUT.delete(oldest);
  }
  return port;
}

function ephemeralLow(): number {
  try {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(lo) && lo > 2048) return lo;
  } catch {
    // Not Linux: the IANA dynamic range's start.
  }
  return 49152;
}

/** Binds `port` (0: the OS's choice) on 127.0.0.1 and lets it go; the port bound, or undefined when taken. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < PICK_TRIES; i++) {
    const candidate = PICK_LOW + Math.floor(Math.random() * (PICK_HIGH - PICK_LOW + 1));
    if (HANDED_OUT.has(candidate)) continue;
    const port = await tryBind(candidate);
    if (port !== undefined) return handOut(port);
  }
  for (let i = 0; i < PICK_TRIES; i++) {
    const port = await tryBind(0);
    if (port === undefined) break;
    if (!HANDED_OUT.has(port)) return handOut(port);
  }
  throw new Error('no free port');
}
