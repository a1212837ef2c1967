import { describe, expect, it } from 'vitest';
import { matches, parseExpression } from './expression';
import type { EdgeData, NodeData } from './types';

const node = (over: Partial<NodeData>): NodeData => ({
  id: 'n',
  nodeType: 'app',
  namespace: 'bookinfo',
  rpsIn: 0,
  rpsOut: 0,
  inbound: { total: 0, http4xx: 0, http5xx: 0, noResponse: 0 },
  errorRate: 0,
  responses: {},
  latency: {},
  health: 'healthy',
  badges: {},
  ...over,
});
const edge = (over: Partial<EdgeData>): EdgeData => ({
  id: 'a->b',
  source: 'a',
  target: 'b',
  protocol: 'http',
  reporter: 'source',
  rps: 0,
  rates: { total: 0, http4xx: 0, http5xx: 0, noResponse: 0 },
  errorRate: 0,
  percentReq: 0,
  latency: {},
  health: 'healthy',
  traffic: { protocol: 'http', rates: {}, responses: {} },
  badges: {},
  ...over,
});

const parsed = (t: string) => {
  const r = parseExpression(t);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('find / hide expressions', () => {
  it('compares numbers: rps > 5 on edges and nodes', () => {
    const e = parsed('rps > 5');
    expect(matches(e, edge({ rps: 6 }))).toBe(true);
    expect(matches(e, edge({ rps: 5 }))).toBe(false);
    expect(matches(e, node({ rpsIn: 10 }))).toBe(true);
  });

  it('matches labels exactly, case-insensitively, or by substring with ~', () => {
    expect(matches(parsed('app=reviews'), node({ app: 'reviews' }))).toBe(true);
    expect(matches(parsed('app=Reviews'), node({ app: 'reviews' }))).toBe(true);
    expect(matches(parsed('app=reviews'), node({ app: 'ratings' }))).toBe(false);
    expect(matches(parsed('name ~ rev'), node({ service: 'reviews', nodeType: 'service' }))).toBe(true);
    // Node-only fields never match edges.
    expect(matches(parsed('app=reviews'), edge({}))).toBe(false);
  });

  it('combines with and / or, error rates in %', () => {
    const e = parsed('health=failure or err >= 10 and ns=bookinfo');
    expect(matches(e, node({ health: 'failure', namespace: 'x' }))).toBe(true);
    expect(matches(e, node({ errorRate: 0.2 }))).toBe(true);
    expect(matches(e, node({ errorRate: 0.05 }))).toBe(false);
  });

  it('explains what it cannot read', () => {
    expect(parseExpression('rps >').ok).toBe(false);
    const r = parseExpression('colour=red');
    expect(r.ok === false && r.message).toMatch(/unknown field "colour"/);
    expect(parsed('')).toEqual([]);
  });
});
