// A Prometheus client for unit tests: answers by the first rule whose text the query contains, and
// keeps every query asked.
import type { PromClient, PromResult } from '../prometheus/client';
import type { Sample } from './series';

export type FakeAnswer = Sample[] | { error: string };

export function fakePrometheus(rules: [contains: string, answer: FakeAnswer][]): PromClient & {
  asked: string[];
} {
  const asked: string[] = [];
  return {
    baseUrl: 'http://fake',
    asked,
    async instant(query: string): Promise<PromResult<Sample[]>> {
      asked.push(query);
      const rule = rules.find(([text]) => query.includes(text));
      if (!rule) return { ok: true, value: [] };
      const answer = rule[1];
      return Array.isArray(answer)
        ? { ok: true, value: answer }
        : { ok: false, error: { code: 'prometheus_query_error', message: answer.error } };
    },
    async range() {
      return { ok: true, value: [] };
    },
  };
}
