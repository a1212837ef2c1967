// Demo resource budget: runs the demo (no dashboard) at 20 req/s and measures, from /proc, the CPU and
// RSS of the demo's own processes (not Prometheus, not Next). Targets: together < 30 % of one core and
// < 1 GB RSS; each sidecar < 80 MB. Prints figures and PASS/MISS; never fails a test.
// The supervisor's row includes its worker threads (control plane and trace store, services-worker.ts;
// the demo apps, apps-worker.ts).
// The trace store fills for ~8 minutes (1,000 traces at 10 % sampling); DEMO_BENCH_WARMUP_S=500 measures
// it full. docs/benchmarks-demo.md has the figures and the method.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TICKS = 100; // USER_HZ on Linux
const WARMUP_S = Number(process.env.DEMO_BENCH_WARMUP_S ?? 20);
const MEASURE_S = Number(process.env.DEMO_BENCH_MEASURE_S ?? 30);

function procTable() {
  const rows = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      // PSS counts pages shared between processes (the node binary, libraries) once across them.
      let pssKb = 0;
      try {
        pssKb = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      } catch {
        // smaps_rollup needs Linux 4.14+
      }
      rows.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(fields[1]),
        cpuTicks: Number(fields[11]) + Number(fields[12]),
        rssKb,
        pssKb,
        cmdline,
      });
    } catch {
      // gone
    }
  }
  return rows;
}

function tree(rows, root) {
  const out = [];
  const walk = (p) => {
    for (const r of rows.values()) {
      if (r.ppid === p) {
        out.push(r);
        walk(r.pid);
      }
    }
  };
  walk(root);
  return out;
}

function label(r) {
  const args = r.cmdline;
  if (args.some((a) => a.endsWith('prometheus') || a === 'prometheus')) return 'prometheus';
  const cmd =
    args.find((a) => ['sidecar', 'demo-app', 'control-plane', 'trace-store'].includes(a)) ?? 'other';
  if (cmd === 'sidecar' || cmd === 'demo-app') {
    const i = args.indexOf(cmd === 'sidecar' ? '--workload' : '--instance');
    return `${cmd} ${args[i + 1] ?? ''}`;
  }
  return cmd;
}

export default async function demoBench() {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshlens-bench-demo-'));
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/meshlens-agent.js'),
      'demo',
      '--no-dashboard',
      '--free-ports',
      '--data-dir',
      dataDir,
      '--rps',
      '20',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + 120_000;
  while (!/Meshlens demo is running/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`demo did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`demo started; warming up ${WARMUP_S} s, measuring ${MEASURE_S} s at 20 req/s`);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const loadBefore = loadavg()[0];
  const before = procTable();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
  const after = procTable();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const loadAfter = loadavg()[0];

  const own = [after.get(child.pid), ...tree(after, child.pid)].filter(Boolean);
  const rows = own.map((r) => {
    const b = before.get(r.pid);
    const cpu = b ? ((r.cpuTicks - b.cpuTicks) / TICKS / seconds) * 100 : 0;
    return {
      name: r.pid === child.pid ? 'supervisor (+ control plane, trace store, apps, traffic)' : label(r),
      cpu,
      rssMb: r.rssKb / 1024,
      pssMb: r.pssKb / 1024,
    };
  });
  const mine = rows.filter((r) => r.name !== 'prometheus' && r.name !== 'other');
  const totalCpu = mine.reduce((s, r) => s + r.cpu, 0);
  const totalRss = mine.reduce((s, r) => s + r.rssMb, 0);
  const totalPss = mine.reduce((s, r) => s + r.pssMb, 0);
  const sidecars = mine.filter((r) => r.name.startsWith('sidecar'));
  const maxSidecar = Math.max(...sidecars.map((r) => r.rssMb));

  console.log('\n| process | CPU % of one core | RSS MB | PSS MB |\n|---|---:|---:|---:|');
  for (const r of rows.sort((a, b) => a.name.localeCompare(b.name))) {
    console.log(`| ${r.name} | ${r.cpu.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.pssMb.toFixed(0)} |`);
  }
  console.log('\n| kind | processes | CPU % | RSS MB | PSS MB |\n|---|---:|---:|---:|---:|');
  const kinds = new Map();
  for (const r of mine) {
    const kind = r.name.split(' ')[0];
    const k = kinds.get(kind) ?? { n: 0, cpu: 0, rss: 0, pss: 0 };
    kinds.set(kind, { n: k.n + 1, cpu: k.cpu + r.cpu, rss: k.rss + r.rssMb, pss: k.pss + r.pssMb });
  }
  for (const [kind, k] of kinds) {
    console.log(`| ${kind} | ${k.n} | ${k.cpu.toFixed(1)} | ${k.rss.toFixed(0)} | ${k.pss.toFixed(0)} |`);
  }
  console.log(
    `\nload average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after the measurement (2 cores; other work on the machine raises the CPU figures)`,
  );
  const mark = (ok) => (ok ? 'PASS' : 'MISS');
  console.log(
    `\ndemo processes (${mine.length}, excluding Prometheus): CPU ${totalCpu.toFixed(1)} % of one core (target < 30 %) ${mark(totalCpu < 30)}`,
  );
  console.log(
    `demo processes RSS ${totalRss.toFixed(0)} MB summed (target < 1024 MB) ${mark(totalRss < 1024)}`,
  );
  console.log(`demo processes PSS ${totalPss.toFixed(0)} MB (shared pages counted once; for reference)`);
  const prometheusRss = rows.filter((r) => r.name === 'prometheus').reduce((s, r) => s + r.rssMb, 0);
  console.log(
    `with Prometheus: RSS ${(totalRss + prometheusRss).toFixed(0)} MB summed (the dashboard's Next server not included)`,
  );
  console.log(`largest sidecar RSS ${maxSidecar.toFixed(0)} MB (target < 80 MB) ${mark(maxSidecar < 80)}`);

  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await demoBench();
