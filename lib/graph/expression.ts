// Find / hide expressions for the graph page: `rps > 5`, `app=reviews`, `health = failure`,
// `errorRate >= 10`, `name ~ rev`, combined with `and` / `,` (all must hold) and `or`. Pure.
import type { EdgeData, NodeData } from './types';

type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';
export interface Condition {
  field: string;
  op: Op;
  value: string;
}
/** Alternatives (`or`) of conjunctions (`and`). */
export type Expression = Condition[][];

const COND = /^\s*([a-zA-Z][a-zA-Z0-9]*)\s*(!=|>=|<=|=|>|<|~)\s*(.+?)\s*$/;

/** Field names users type, mapped to the canonical one. */
const ALIASES: Record<string, string> = {
  ns: 'namespace',
  err: 'errorRate',
  error: 'errorRate',
  errors: 'errorRate',
  type: 'nodeType',
  kind: 'nodeType',
  svc: 'service',
  wl: 'workload',
  latency: 'p95',
  rt: 'p95',
  percent: 'percentReq',
};

export type ParseResult = { ok: true; value: Expression } | { ok: false; message: string };

export function parseExpression(text: string): ParseResult {
  if (text.trim() === '') return { ok: true, value: [] };
  const alternatives: Expression = [];
  for (const alt of text.split(/\s+or\s+|\s*\|\|\s*/i)) {
    const conj: Condition[] = [];
    for (const part of alt.split(/\s+and\s+|\s*,\s*|\s*&&\s*/i)) {
      if (part.trim() === '') continue;
      const m = COND.exec(part);
      if (!m)
        return {
          ok: false,
          message: `cannot read "${part.trim()}": write field op value, e.g. rps > 5 or app=reviews`,
        };
      const raw = m[1] as string;
      const field = ALIASES[raw] ?? ALIASES[raw.toLowerCase()] ?? raw;
      if (!FIELDS.has(field))
        return { ok: false, message: `unknown field "${raw}"; try one of ${[...FIELDS].join(', ')}` };
      conj.push({ field, op: m[2] as Op, value: (m[3] as string).replace(/^["']|["']$/g, '') });
    }
    if (conj.length > 0) alternatives.push(conj);
  }
  return { ok: true, value: alternatives };
}

/** What a field reads from a node or an edge (error rates in %, latency in ms). */
const FIELD_READERS: Record<string, (d: ElementData) => string | number | undefined> = {
  rps: (d) => (isEdge(d) ? d.rps : d.rpsIn),
  rpsOut: (d) => (isEdge(d) ? undefined : d.rpsOut),
  errorRate: (d) => d.errorRate * 100,
  p50: (d) => d.latency.p50,
  p95: (d) => d.latency.p95,
  p99: (d) => d.latency.p99,
  percentReq: (d) => (isEdge(d) ? d.percentReq : undefined),
  protocol: (d) => (isEdge(d) ? d.protocol : undefined),
  health: (d) => d.health,
  namespace: (d) => (isEdge(d) ? undefined : d.namespace),
  app: (d) => (isEdge(d) ? undefined : d.app),
  version: (d) => (isEdge(d) ? undefined : d.version),
  workload: (d) => (isEdge(d) ? undefined : d.workload),
  service: (d) => (isEdge(d) ? undefined : d.service),
  nodeType: (d) => (isEdge(d) ? undefined : d.isServiceEntry ? 'serviceentry' : d.nodeType),
  name: (d) => (isEdge(d) ? undefined : (d.service ?? d.app ?? d.workload ?? d.id)),
  id: (d) => d.id,
};
const FIELDS = new Set(Object.keys(FIELD_READERS));

type ElementData = NodeData | EdgeData;
function isEdge(d: ElementData): d is EdgeData {
  return 'source' in d && 'target' in d;
}

function test(c: Condition, d: ElementData): boolean {
  const v = FIELD_READERS[c.field]?.(d);
  if (v === undefined) return false;
  if (c.op === '~') return String(v).toLowerCase().includes(c.value.toLowerCase());
  const num = Number(c.value);
  if (typeof v === 'number' && !Number.isNaN(num)) {
    switch (c.op) {
      case '=':
        return v === num;
      case '!=':
        return v !== num;
      case '>':
        return v > num;
      case '>=':
        return v >= num;
      case '<':
        return v < num;
      case '<=':
        return v <= num;
    }
  }
  const s = String(v).toLowerCase();
  const t = c.value.toLowerCase();
  if (c.op === '=') return s === t;
  if (c.op === '!=') return s !== t;
  return false;
}

/** Whether the element matches; an empty expression matches nothing. Boxes never match. */
export function matches(e: Expression, d: ElementData): boolean {
  if (e.length === 0) return false;
  if (!isEdge(d) && d.nodeType === 'box') return false;
  return e.some((conj) => conj.every((c) => test(c, d)));
}
