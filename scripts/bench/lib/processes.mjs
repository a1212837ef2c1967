// Child processes for benchmarks: start one and wait for its `listening <port>` line, read its memory from
// /proc, run the load generator and collect its JSON result.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

/**
 * Spawns `command args` and resolves once its output matches `ready` (default `listening <port>`), with
 * `port` from the first capture group if any; `ready: null` resolves as soon as it is spawned. `stop()` sends SIGTERM, then SIGKILL after `graceMs`.
 */
export async function startProcess(
  command,
  args,
  { ready = /listening (\d+)/, timeoutMs = 20_000, env, cwd = ROOT } = {},
) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Output is always read, whatever `ready` is: a child whose pipe is left full blocks on its next write.
  // All of it is kept (callers index into `output()`).
  let output = '';
  const onOutput = (d) => {
    output += d;
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const match = await new Promise((resolve, reject) => {
    if (ready === null) {
      child.once('spawn', () => resolve([]));
      child.once('error', reject);
      return;
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${command} not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const m = ready.exec(output);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    child,
    pid: child.pid,
    port: match[1] === undefined ? undefined : Number(match[1]),
    output: () => output,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size now and its peak (VmHWM), in MB, of a live process. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) of a process so far, in seconds. */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU time (user + system) of processes so far, in seconds: those that have exited count nothing. */
export function cpuSecondsOfAll(pids) {
  let seconds = 0;
  for (const pid of pids) {
    try {
      seconds += cpuSecondsOf(pid);
    } catch {
      // exited
    }
  }
  return seconds;
}

/** Pids of the live children of `pid` (e.g. nginx's worker under its master). */
export function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Runs the load generator (its own process) and resolves with its result. */
export function runLoad(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`load generator exited with ${code}`);
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * A port free on 127.0.0.1 right now, picked as every part of the agent picks one (below the kernel's ephemeral
 * range, checked bindable: `proxy-agent/src/net/free-port.ts`), from the built agent (`npm run build`, run here
 * first when dist/agent has none yet).
 */
export async function freePort() {
  agentFreePort ??= builtAgent('freePort').then((agent) => agent.freePort);
  return (await agentFreePort)();
}

let agentFreePort;

/**
 * The built agent (dist/agent/index.js), with `name` among its exports: `npm run build` first when there is no
 * build yet or it predates that export.
 */
export async function builtAgent(name) {
  const entry = join(ROOT, 'dist/agent/index.js');
  const load = () => (existsSync(entry) ? import(pathToFileURL(entry).href) : Promise.resolve({}));
  let agent = await load();
  if (!(name in agent)) {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    // A fresh URL: the module imported before (a build without it) stays cached under the old one.
    agent = await import(`${pathToFileURL(entry).href}?built=${Date.now()}`);
  }
  if (!(name in agent)) throw new Error(`dist/agent has no ${name} after npm run build`);
  return agent;
}
