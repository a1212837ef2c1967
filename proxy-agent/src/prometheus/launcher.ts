// Starts the real Prometheus on loopback with a generated config, waits until it is ready, and stops it
// cleanly. Used by the demo and by tests that need a real Prometheus.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../net/free-port';
import { findPrometheusBinary } from './binary';
import { prometheusConfig, type ScrapeConfig } from './config';

export interface PrometheusOptions {
  /** Port for 127.0.0.1; a free one when absent or 0. */
  port?: number;
  /** TSDB and config directory (created). */
  dataDir: string;
  scrapeConfigs: readonly ScrapeConfig[];
  scrapeInterval?: string;
  /**
   * Rule files to write into `dataDir` and load (`rule_files`), by file name: e.g. the graph's recording
   * rules, `{ 'meshlens-graph.rules.yml': recordingRulesYaml() }` from `lib/graph/recording-rules`.
   */
  ruleFiles?: Readonly<Record<string, string>>;
  /** Extra command-line flags. */
  extraArgs?: readonly string[];
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  configFile: string;
  /** What Prometheus wrote so far (its log goes to stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const READY_POLL_MS = 100;

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Tries on a freshly picked port when `options.port` is 0 and the one picked was taken before Prometheus bound it. */
const BIND_TRIES = 3;

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  if (options.port) return startPrometheusOn(options, options.port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrometheusOn(options, await freePort());
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= BIND_TRIES) throw err;
      options.log?.(`prometheus: ${err.message.split('\n')[0]}; trying another port`);
    }
  }
}

/** Prometheus exited because its listen address was taken. */
class PortTakenError extends Error {}

async function startPrometheusOn(options: PrometheusOptions, port: number): Promise<RunningPrometheus> {
  const binary = findPrometheusBinary();
  await mkdir(options.dataDir, { recursive: true });
  const configFile = join(options.dataDir, 'prometheus.yml');
  const ruleFiles: string[] = [];
  for (const [name, content] of Object.entries(options.ruleFiles ?? {})) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`rule file name ${name} must be a plain file name`);
    const file = join(options.dataDir, name);
    await writeFile(file, content);
    ruleFiles.push(file);
  }
  await writeFile(
    configFile,
    prometheusConfig({
      scrapeConfigs: options.scrapeConfigs,
      scrapeInterval: options.scrapeInterval,
      ruleFiles,
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(options.dataDir, 'tsdb')}`,
      '--enable-feature=exemplar-storage',
      '--web.enable-lifecycle',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const collect = (d: Buffer) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const running: RunningPrometheus = {
    url,
    port,
    configFile,
    output: () => out,
    stop: (graceMs = 10_000) => stopChild(child, graceMs),
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await ready(url))) {
    if (exited || Date.now() > deadline) {
      await running.stop(1000);
      const tail = out.split('\n').slice(-15).join('\n');
      const message = `prometheus ${exited ? `exited (code ${child.exitCode})` : 'was not ready in time'} on ${url}:\n${tail}`;
      throw exited && /bind: address already in use/.test(out)
        ? new PortTakenError(message)
        : new Error(message);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  options.log?.(`prometheus ready on ${url} (config ${configFile})`);
  return running;
}
