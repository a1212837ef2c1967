// A Prometheus client for unit tests: answers by the first rule whose text the query contains, and
// keeps every query asked. Its answers' bodies (`instantBody`) are written as Prometheus writes them.
import type { InstantBody, PromClient, PromResult } from '../prometheus/client';
import type { Sample } from './series';

export type FakeAnswer = Sample[] | { error: string };

export function fakePrometheus(rules: [contains: string, answer: FakeAnswer][]): PromClient & {
  asked: string[];
} {
  const asked: string[] = [];
  const instant = async (query: string): Promise<PromResult<Sample[]>> => {
    asked.push(query);
    const rule = rules.find(([text]) => query.includes(text));
    if (!rule) return { ok: true, value: [] };
    const answer = rule[1];
    return Array.isArray(answer)
      ? { ok: true, value: answer }
      : { ok: false, error: { code: 'prometheus_query_error', message: answer.error } };
  };
  return {
    baseUrl: 'http://fake',
    asked,
    instant,
    async instantBody(query: string, timeSec: number): Promise<PromResult<InstantBody>> {
      const r = await instant(query);
      if (!r.ok) return r;
      return { ok: true, value: { body: prometheusBody(r.value, timeSec), samples: () => r } };
    },
    async range() {
      return { ok: true, value: [] };
    },
  };
}

/** Samples as Prometheus' `/api/v1/query` writes them: labels sorted by name, values as Go formats them. */
export function prometheusBody(samples: readonly Sample[], timeSec: number): Buffer {
  const result = samples.map((s) => ({
    metric: Object.fromEntries(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    value: [timeSec, promText(s.value)],
  }));
  return Buffer.from(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
}

function promText(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
