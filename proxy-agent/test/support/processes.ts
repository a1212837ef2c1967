// Real processes for integration tests: free ports, the built CLI as a child process, bounded polling.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort as osFreePort } from '../../src/net/free-port';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT_BIN = fileURLToPath(new URL('../../../bin/meshlens-agent.js', import.meta.url));

// A test's ports come from below the kernel's ephemeral range. The OS hands out ports for `listen(0)` and
// for every outgoing connection from that range, so a port picked there and bound a moment later by a child
// process could be taken in between by any of the suite's thousands of connections (EADDRINUSE, seen in a
// full run). Below it only another test's pick can collide, and a pick is checked free first.
const EPHEMERAL_LOW = ephemeralLow();
const PICK_HIGH = EPHEMERAL_LOW - 1;
const PICK_LOW = Math.max(1024, PICK_HIGH - 12_000);

function ephemeralLow(): number {
  try {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(lo) && lo > 2048) return lo;
  } catch {
    // Not Linux: fall back to the IANA dynamic range's start.
  }
  return 49152;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port on 127.0.0.1 for a test to hand to a process it starts (see above); bounded tries. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 64; i++) {
    const port = PICK_LOW + Math.floor(Math.random() * (PICK_HIGH - PICK_LOW + 1));
    if (await bindable(port)) return port;
  }
  return osFreePort();
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export interface AgentProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `meshlens-agent <args>` (the built CLI) as a child process. */
export function spawnAgent(args: string[], env: Partial<NodeJS.ProcessEnv> = {}): AgentProcess {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
