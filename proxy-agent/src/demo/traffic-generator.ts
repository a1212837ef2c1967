// The demo's users: a steady request rate through the ingress gateway, some of them "jason", whose
// requests a header route sends to reviews v2. Open-loop pacing, so slow answers don't lower the rate.
import { Agent, request } from 'node:http';

export interface TrafficOptions {
  /** The gateway sidecar's outbound listener. */
  gatewayPort: number;
  /** Host the gateway routes (the productpage service). */
  host: string;
  rps: number;
  /** Share of requests sent as the user `jason` (0–1). */
  jasonShare?: number;
  /** In-flight cap: beyond it a tick's requests are dropped and counted, never queued without bound. */
  maxInFlight?: number;
  /** The page asked for (default /productpage). */
  path?: string;
  /** How the client names itself (default meshlens-demo-traffic). */
  userAgent?: string;
}

export interface TrafficStats {
  sent: number;
  byStatus: Record<string, number>;
  dropped: number;
}

export interface TrafficGenerator {
  stats(): TrafficStats;
  setRps(rps: number): void;
  stop(): Promise<void>;
}

const TICK_MS = 50;

export function startTraffic(options: TrafficOptions): TrafficGenerator {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const stats: TrafficStats = { sent: 0, byStatus: {}, dropped: 0 };
  const maxInFlight = options.maxInFlight ?? 200;
  const jasonShare = options.jasonShare ?? 0.1;
  let rps = options.rps;
  let inFlight = 0;
  let credit = 0;
  let last = Date.now();
  const idle: Array<() => void> = [];

  const send = () => {
    inFlight++;
    stats.sent++;
    const headers: Record<string, string> = {
      host: options.host,
      'user-agent': options.userAgent ?? 'meshlens-demo-traffic',
    };
    if (Math.random() < jasonShare) headers['end-user'] = 'jason';
    const done = (status: string) => {
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      inFlight--;
      if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: options.gatewayPort,
        path: options.path ?? '/productpage',
        agent,
        headers,
        timeout: 20_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => done(String(res.statusCode ?? 0)));
        res.on('error', () => done('0'));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => done('0'));
    req.end();
  };

  const timer = setInterval(() => {
    const now = Date.now();
    credit += ((now - last) / 1000) * rps;
    last = now;
    while (credit >= 1) {
      credit -= 1;
      if (inFlight >= maxInFlight) stats.dropped++;
      else send();
    }
  }, TICK_MS);

  return {
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    setRps(value) {
      rps = Math.max(0, value);
    },
    async stop() {
      clearInterval(timer);
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise((r) => setTimeout(r, 5_000)),
        ]);
      }
      agent.destroy();
    },
  };
}
