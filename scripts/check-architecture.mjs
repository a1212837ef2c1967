#!/usr/bin/env node
// Keeps the arrows of docs/architecture.md true: every import of every TypeScript file is resolved and
// checked against the parts' rules (who may import whom), and the files must hold no import cycle.
// Run by `npm test`; prints each broken arrow with the file and line, exits 1 if there is any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['app', 'components', 'lib', 'proxy-agent', 'e2e', 'scripts'];
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];

/**
 * The parts, most specific first: a file belongs to the first part whose prefix it starts with.
 * `may` lists the parts it may import (itself always). Tests may also import test support.
 */
export const PARTS = [
  // The browser tests drive the demo: they may name its scenarios, and pick a port as the agent does.
  { name: 'e2e', prefix: 'e2e/', may: ['lib', 'demo', 'net'] },
  { name: 'scripts', prefix: 'scripts/', may: ['lib', 'agent-build'] },
  { name: 'agent-tests', prefix: 'proxy-agent/test/', may: ['*'] },
  { name: 'cli', prefix: 'proxy-agent/src/cli.ts', may: ['*agent'] },
  { name: 'agent-index', prefix: 'proxy-agent/src/index.ts', may: ['*agent'] },
  { name: 'demo', prefix: 'proxy-agent/src/demo/', may: ['*agent', 'lib'] },
  {
    name: 'sidecar',
    prefix: 'proxy-agent/src/sidecar/',
    may: ['sidecar-config', 'net', 'lib'],
  },
  { name: 'sidecar-config', prefix: 'proxy-agent/src/sidecar-config/', may: ['net', 'lib'] },
  { name: 'control-plane', prefix: 'proxy-agent/src/control-plane/', may: ['net', 'lib'] },
  { name: 'trace-store', prefix: 'proxy-agent/src/trace-store/', may: ['net', 'lib'] },
  { name: 'prometheus-launcher', prefix: 'proxy-agent/src/prometheus/', may: ['net', 'lib'] },
  { name: 'net', prefix: 'proxy-agent/src/net/', may: [] },
  { name: 'app', prefix: 'app/', may: ['components', 'lib'] },
  { name: 'components', prefix: 'components/', may: ['lib'] },
  { name: 'lib', prefix: 'lib/', may: [] },
  { name: 'agent-build', prefix: 'dist/agent/', may: [] },
];
const AGENT_PARTS = new Set([
  'demo',
  'sidecar',
  'sidecar-config',
  'control-plane',
  'trace-store',
  'prometheus-launcher',
  'net',
]);

function partOf(file) {
  return PARTS.find((p) => file === p.prefix || file.startsWith(p.prefix));
}

function allowed(from, to) {
  if (from.name === to.name) return true;
  return from.may.some((m) => m === '*' || m === to.name || (m === '*agent' && AGENT_PARTS.has(to.name)));
}

function walk(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (EXTENSIONS.some((e) => entry.endsWith(e)) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function resolveImport(fromFile, spec) {
  let base;
  if (spec.startsWith('@/')) base = join(ROOT, spec.slice(2));
  else if (spec.startsWith('.')) base = resolve(dirname(fromFile), spec);
  else return undefined; // a package
  const stem = base.replace(/\.(js|mjs)$/, '');
  for (const candidate of [
    base,
    ...EXTENSIONS.map((e) => stem + e),
    ...EXTENSIONS.map((e) => join(base, `index${e}`)),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return base; // unresolved (generated or built files): judged by its path
}

export function checkArchitecture(root = ROOT) {
  const files = SOURCE_DIRS.filter((d) => existsSync(join(root, d))).flatMap((d) => walk(join(root, d), []));
  const problems = [];
  const edges = new Map();
  for (const file of files) {
    const rel = relative(root, file);
    const from = partOf(rel);
    const text = readFileSync(file, 'utf8');
    const targets = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = resolveImport(file, spec);
      if (!target) continue;
      const toRel = relative(root, target);
      const line = text.slice(0, m.index + m[0].search(/import|export/)).split('\n').length;
      const to = partOf(toRel);
      if (from && to && !allowed(from, to))
        problems.push(`${rel}:${line}: ${from.name} may not import ${to.name} (${spec})`);
      if (!from) continue;
      targets.push(target);
    }
    edges.set(file, targets);
  }
  problems.push(...cycles(edges, root));
  return problems;
}

/** Import cycles among the files (type-only imports count too: they still tie the modules together). */
function cycles(edges, root) {
  const state = new Map();
  const stack = [];
  const found = [];
  const seen = new Set();
  const visit = (f) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (!edges.has(t)) continue;
      if (state.get(t) === 'open') {
        const cycle = stack.slice(stack.indexOf(t)).map((x) => relative(root, x));
        const key = [...cycle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          found.push(`import cycle: ${[...cycle, relative(root, t)].join(' -> ')}`);
        }
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of edges.keys()) if (!state.has(f)) visit(f);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkArchitecture();
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`\n${problems.length} broken arrow(s); the parts and their arrows: docs/architecture.md`);
    process.exit(1);
  }
  console.log('architecture: every import follows docs/architecture.md, no import cycle');
}
