// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by area (OpenTelemetry, undici, Node's
// HTTP and streams, the sidecar's own code, GC, idle) and by function, so a benchmark can say where a
// process spends its CPU.
import { readFileSync } from 'node:fs';

const AREAS = [
  ['idle (event loop waiting)', (f) => f.functionName === '(idle)'],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['OpenTelemetry SDK + OTLP export', (f) => f.url.includes('@opentelemetry/')],
  ['prom-client', (f) => f.url.includes('prom-client')],
  ['undici (upstream pools)', (f) => f.url.includes('/undici/') || f.url.startsWith('wasm://')],
  ['meshlens sidecar (dist/agent)', (f) => f.url.includes('/dist/agent/')],
  ['zod / yaml (config)', (f) => f.url.includes('/zod/') || f.url.includes('/yaml/')],
  [
    'module loading (start-up)',
    (f) =>
      /modules\/(cjs|esm)|package_json_reader/.test(f.url) ||
      f.functionName === 'compileSourceTextModule' ||
      f.functionName === 'wrapSafe',
  ],
  ['Node http/net/streams (JS)', (f) => f.url.startsWith('node:')],
  ['native (socket writes, parser, hashing …)', (f) => f.url === '' && !f.functionName.startsWith('(')],
  ['other', () => true],
];

export function summarizeCpuProfile(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const areaUs = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const frame = node.callFrame;
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|dist|proxy-agent)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    const area = AREAS.find(([, test]) => test(frame))[0];
    areaUs.set(area, (areaUs.get(area) ?? 0) + dt);
    total += dt;
  }
  const idle = areaUs.get(AREAS[0][0]) ?? 0;
  const busy = total - idle;
  const pct = (us, of) => `${((us / of) * 100).toFixed(1).padStart(5)} %`;
  const areas = [...areaUs.entries()].filter(([a]) => a !== AREAS[0][0]).sort((a, b) => b[1] - a[1]);
  const functions = [...selfUs.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return [
    `  ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total).trim()}); shares of busy time:`,
    '  by area:',
    ...areas.map(([a, us]) => `    ${pct(us, busy)}  ${a}`),
    '  by function (self time):',
    ...functions.map(([k, us]) => `    ${pct(us, busy)}  ${k}`),
  ].join('\n');
}
