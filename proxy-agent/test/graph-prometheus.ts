// Loads metrics into a real Prometheus for the graph's contract tests: scrapes (recorded or synthetic) are
// replayed at several timestamps with counters growing, written as OpenMetrics, turned into TSDB blocks by
// `promtool tsdb create-blocks-from openmetrics`, and served by the real `prometheus` binary.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sample } from '../../lib/graph/series';
import { type RunningPrometheus, startPrometheus } from '../src/prometheus/index';

const run = promisify(execFile);

/** One series of a scrape: its name, its label set as written, and its value at the first replay. */
export interface ScrapedSeries {
  name: string;
  labels: string;
  value: number;
}

/** The sample lines of a Prometheus text exposition (comments and TYPE lines dropped). */
export function parseExposition(text: string): ScrapedSeries[] {
  const out: ScrapedSeries[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line.slice(0, 80)}`);
    out.push({ name: m[1] as string, labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

/** Series of `name{labels}` built from samples: a label set written the way Prometheus reads it. */
export function fromSamples(name: string, samples: readonly Sample[]): ScrapedSeries[] {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return samples.map((s) => ({
    name,
    labels: `{${Object.entries(s.labels)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',')}}`,
    value: s.value,
  }));
}

const GAUGES = [
  /_ejections_active$/,
  /^envoy_cluster_membership_/,
  /^meshlens_endpoint_(ejected|healthy|active_requests)$/,
  /^istio_build$/,
];

export function isCounter(name: string): boolean {
  return !GAUGES.some((g) => g.test(name));
}

export interface Replay {
  /** Unix seconds of the first scrape. */
  start: number;
  intervalS: number;
  scrapes: number;
}

/**
 * OpenMetrics for `series` scraped `scrapes` times: a counter's value at scrape i is
 * `value × (i + 10)` — it grows by `value` per scrape, so its rate is `value / intervalS` —
 * a gauge keeps its value. `perSecond` series give their value as a rate instead.
 */
export function replay(series: readonly ScrapedSeries[], r: Replay, perSecond = false): string {
  const lines: string[] = [];
  // OpenMetrics wants each metric family's samples together.
  const byName = new Map<string, ScrapedSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, list] of byName) {
    const counter = isCounter(name);
    for (const s of list) {
      const perScrape = perSecond ? s.value * r.intervalS : s.value;
      for (let i = 0; i < r.scrapes; i++) {
        const v = counter ? perScrape * (i + 10) : s.value;
        lines.push(`${name}${s.labels} ${v} ${r.start + i * r.intervalS}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface LoadedPrometheus extends RunningPrometheus {
  dir: string;
  close(): Promise<void>;
}

/** A real Prometheus serving exactly the given OpenMetrics (without `# EOF`; added here). */
export async function startLoadedPrometheus(openMetrics: string): Promise<LoadedPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'meshlens-graph-prom-'));
  const input = join(dir, 'input.om');
  await writeFile(input, `${openMetrics}# EOF\n`);
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, join(dir, 'tsdb')], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const prom = await startPrometheus({
    dataDir: dir,
    scrapeConfigs: [],
    // The replayed data is old on purpose (fixed timestamps): keep it.
    extraArgs: ['--storage.tsdb.retention.time=100y'],
  });
  return {
    ...prom,
    dir,
    async close() {
      await prom.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Backfills recording rules over `[start, end]` (Unix seconds) from the data `prom` serves, with
 * `promtool tsdb create-blocks-from rules`, and restarts Prometheus on the same data with the new blocks.
 * Several rule files are backfilled one after the other (each stage reads what the one before recorded).
 */
export async function backfillRules(
  prom: LoadedPrometheus,
  stages: string | readonly string[],
  range: { start: number; end: number; evalIntervalS: number },
): Promise<LoadedPrometheus> {
  let current = prom;
  for (const [i, rulesYaml] of (typeof stages === 'string' ? [stages] : stages).entries()) {
    const rules = join(prom.dir, `graph.rules.${i}.yml`);
    await writeFile(rules, rulesYaml);
    const out = join(prom.dir, `rule-blocks-${i}`);
    await run(
      'promtool',
      [
        'tsdb',
        'create-blocks-from',
        'rules',
        `--url=${current.url}`,
        `--start=${range.start}`,
        `--end=${range.end}`,
        `--eval-interval=${range.evalIntervalS}s`,
        `--output-dir=${out}`,
        rules,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    await current.stop();
    for (const block of await readdir(out)) await rename(join(out, block), join(prom.dir, 'tsdb', block));
    const restarted = await startPrometheus({
      dataDir: prom.dir,
      scrapeConfigs: [],
      extraArgs: ['--storage.tsdb.retention.time=100y'],
    });
    current = {
      ...restarted,
      dir: prom.dir,
      async close() {
        await restarted.stop();
        await rm(prom.dir, { recursive: true, force: true });
      },
    };
  }
  return current;
}
