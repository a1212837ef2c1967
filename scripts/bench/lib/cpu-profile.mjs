// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function, highest first, so a
// benchmark can say where a process spends its CPU.
import { readFileSync } from 'node:fs';

export function summarizeCpuProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${url.replace(/^.*\/(node_modules|dist|proxy-agent)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    total += dt;
  }
  const idle = ['(idle)', '(program)', '(garbage collector)'];
  const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const busy = total - idle.reduce((s, k) => s + (selfUs.get(k) ?? 0), 0);
  return [
    `  total ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s`,
    ...rows.map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`),
  ].join('\n');
}
