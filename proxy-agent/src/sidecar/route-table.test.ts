import { describe, expect, it } from 'vitest';
import { compileMatch, cumulativeWeights, matchesRequest, pickWeighted, selectRoute } from './route-table';

const routes = [
  { name: 'jason', matchers: [compileMatch({ headers: { 'end-user': { exact: 'jason' } } })] },
  {
    name: 'api',
    matchers: [compileMatch({ uri: { prefix: '/api/' } }), compileMatch({ uri: { exact: '/health' } })],
  },
  { name: 'regex', matchers: [compileMatch({ uri: { regex: '/items/[0-9]+' }, method: { exact: 'GET' } })] },
  { name: 'rest', matchers: [] },
];

describe('selectRoute', () => {
  it('takes the first route whose match fits', () => {
    expect(selectRoute(routes, 'GET', '/api/x', { 'end-user': 'jason' })?.name).toBe('jason');
    expect(selectRoute(routes, 'GET', '/api/x', { 'end-user': 'bob' })?.name).toBe('api');
    expect(selectRoute(routes, 'GET', '/health?x=1', {})?.name).toBe('api');
    expect(selectRoute(routes, 'GET', '/healthz', {})?.name).toBe('rest');
  });

  it('matches regexes against the whole path without the query, and the method', () => {
    expect(selectRoute(routes, 'GET', '/items/42?full=1', {})?.name).toBe('regex');
    expect(selectRoute(routes, 'GET', '/items/42/more', {})?.name).toBe('rest');
    expect(selectRoute(routes, 'POST', '/items/42', {})?.name).toBe('rest');
  });

  it('answers no route when nothing matches and there is no catch-all', () => {
    expect(selectRoute(routes.slice(0, 2), 'GET', '/other', {})).toBeUndefined();
  });
});

describe('matchesRequest', () => {
  it('matches header prefix and regex, and requires a header to be present', () => {
    const m = compileMatch({ headers: { 'x-tier': { prefix: 'gold' }, 'x-id': { regex: '[a-f]{3}' } } });
    expect(matchesRequest(m, 'GET', '/', { 'x-tier': 'gold-plus', 'x-id': 'abc' })).toBe(true);
    expect(matchesRequest(m, 'GET', '/', { 'x-tier': 'gold-plus', 'x-id': 'abcd' })).toBe(false);
    expect(matchesRequest(m, 'GET', '/', { 'x-tier': 'gold-plus' })).toBe(false);
  });

  it('honours ignoreUriCase', () => {
    const m = compileMatch({ uri: { prefix: '/API' }, ignoreUriCase: true });
    expect(matchesRequest(m, 'GET', '/api/v1', {})).toBe(true);
    const re = compileMatch({ uri: { regex: '/API/v[0-9]' }, ignoreUriCase: true });
    expect(matchesRequest(re, 'GET', '/api/V2', {})).toBe(true);
  });

  it('matches regexes with RE2: a full match, in linear time on a catastrophic pattern', () => {
    const m = compileMatch({ uri: { regex: '/(a+)+b' } });
    // JavaScript's backtracking engine needs seconds here (2^28 paths); RE2 does not backtrack.
    expect(matchesRequest(m, 'GET', `/${'a'.repeat(28)}`, {})).toBe(false);
    expect(matchesRequest(m, 'GET', `/${'a'.repeat(28)}b`, {})).toBe(true);
    // Envoy's safe_regex matches the whole value: a pattern that matches only a part does not match.
    expect(matchesRequest(m, 'GET', '/aab/more', {})).toBe(false);
    expect(matchesRequest(compileMatch({ uri: { regex: 'a|/b' } }), 'GET', '/b', {})).toBe(true);
  });

  it('rejects what RE2 rejects (backreferences, lookaround), naming the field', () => {
    expect(() => compileMatch({ headers: { 'x-user': { regex: '(a)\\1' } } })).toThrow(
      /^headers\.x-user\.regex: .*invalid escape/,
    );
    expect(() => compileMatch({ uri: { regex: 'a(?=b)' } })).toThrow(/^uri\.regex: /);
  });
});

describe('weighted destinations', () => {
  it('a lone destination without weight takes everything', () => {
    expect(cumulativeWeights([undefined])).toEqual([100]);
    expect(pickWeighted([100], 0.999)).toBe(0);
  });

  it('splits 90/10 within statistical noise over 10,000 picks', () => {
    const cum = cumulativeWeights([90, 10]);
    let seed = 42;
    const random = () => {
      // A small LCG: deterministic, uniform enough for the test.
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) (counts[pickWeighted(cum, random())] as number)++;
    // 3 standard deviations of a binomial(10000, 0.1) is 90.
    expect(Math.abs((counts[1] as number) - 1000)).toBeLessThan(90);
  });

  it('falls exactly on the boundaries', () => {
    const cum = cumulativeWeights([50, 0, 50]);
    expect(pickWeighted(cum, 0)).toBe(0);
    expect(pickWeighted(cum, 0.4999)).toBe(0);
    expect(pickWeighted(cum, 0.5)).toBe(2);
    expect(pickWeighted([0, 0], 0.5)).toBe(-1);
  });
});
