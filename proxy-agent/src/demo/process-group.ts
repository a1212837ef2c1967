// The demo's child processes: started with their output in log files, watched, and stopped together
// (SIGTERM in reverse start order, SIGKILL after a grace period) so that none is left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  log: WriteStream;
  exited: Promise<void>;
}

/** How a one-shot step (a build) ended: its exit code, or the signal that ended it. */
export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ProcessGroup {
  private readonly running: Running[] = [];
  /** Children whose exit is expected: replaced ones and one-shot steps. */
  private readonly discarded = new Set<ChildProcess>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    /** Called when a child exits while the group is not stopping: the demo reports it. */
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ChildSpec): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      // The IPC channel lets children notice the demo dying (see parent-watchdog.ts).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.stopping && !this.discarded.has(child)) this.onUnexpectedExit(spec.name, code, signal);
        resolve();
      });
      child.once('error', (err) => {
        log.write(`spawn failed: ${err.message}\n`);
        resolve();
      });
    });
    this.running.push({ spec, child, log, exited });
    return child;
  }

  /** Runs a one-shot step (a build) to its end: its exit is its result, never reported as unexpected. */
  run(spec: ChildSpec): Promise<StepResult> {
    const child = this.start(spec);
    this.discarded.add(child);
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
  }

  /** Stops a child that is to be replaced (e.g. restarted on other ports): its exit is expected. */
  discard(child: ChildProcess): void {
    this.discarded.add(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }

  pids(): number[] {
    return this.running.flatMap((r) =>
      r.child.pid !== undefined && r.child.exitCode === null ? [r.child.pid] : [],
    );
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  isStopping(): boolean {
    return this.stopping;
  }

  /** From now on children exiting is expected (a stop is under way): no more reports. */
  beginStop(): void {
    this.stopping = true;
  }

  /** Stops every child, newest first; resolves when all have exited. */
  async stopAll(graceMs = 8_000): Promise<void> {
    this.stopping = true;
    const all = [...this.running].reverse();
    for (const r of all)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const r of all)
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(all.map((r) => r.exited));
    clearTimeout(timer);
    for (const r of all) r.log.end();
  }
}
