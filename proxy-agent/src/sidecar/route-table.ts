// Route matching, as Envoy's router does it: the first route whose match (URI, method, headers) fits the
// request wins; within the route a destination is picked by weight. Matchers are compiled once per config.
// Regexes are RE2, as Istio's and Envoy's safe_regex: linear time, and a full match of the value.
import { RE2JS } from 're2js';
import type { HTTPMatchRequest, StringMatch } from '../../../lib/mesh-config/schema';

const EXACT = 0;
const PREFIX = 1;
const REGEX = 2;

export interface StringMatcher {
  kind: typeof EXACT | typeof PREFIX | typeof REGEX;
  value: string;
  re?: RE2JS;
}

export interface RequestMatcher {
  uri?: StringMatcher;
  method?: StringMatcher;
  /** Header names lower-cased. */
  headers: ReadonlyArray<readonly [string, StringMatcher]>;
  ignoreUriCase: boolean;
}

export interface MatchableRoute {
  /** No matcher: the route matches every request. Several: any of them. */
  matchers: readonly RequestMatcher[];
}

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function compileStringMatch(m: StringMatch, ignoreCase = false): StringMatcher {
  if (m.exact !== undefined) return { kind: EXACT, value: ignoreCase ? m.exact.toLowerCase() : m.exact };
  if (m.prefix !== undefined) return { kind: PREFIX, value: ignoreCase ? m.prefix.toLowerCase() : m.prefix };
  // RE2's matches() is a full match (Envoy's safe_regex); a pattern RE2 rejects throws, naming the field.
  const source = m.regex ?? '';
  try {
    return { kind: REGEX, value: source, re: RE2JS.compile(source, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) };
  } catch (err) {
    throw new Error(`regex: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A matcher compiled at `field`; errors name it (`headers.x-user.regex: ...`). */
function compileAt(field: string, m: StringMatch, ignoreCase = false): StringMatcher {
  try {
    return compileStringMatch(m, ignoreCase);
  } catch (err) {
    throw new Error(`${field}.${err instanceof Error ? err.message : String(err)}`);
  }
}

export function compileMatch(m: HTTPMatchRequest): RequestMatcher {
  const ignoreUriCase = m.ignoreUriCase === true;
  return {
    uri: m.uri ? compileAt('uri', m.uri, ignoreUriCase) : undefined,
    method: m.method ? compileAt('method', m.method) : undefined,
    headers: Object.entries(m.headers ?? {}).map(
      ([k, v]) => [k.toLowerCase(), compileAt(`headers.${k}`, v)] as const,
    ),
    ignoreUriCase,
  };
}

export function matchString(m: StringMatcher, value: string): boolean {
  switch (m.kind) {
    case EXACT:
      return value === m.value;
    case PREFIX:
      return value.startsWith(m.value);
    default:
      return (m.re as RE2JS).matches(value);
  }
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

export function matchesRequest(m: RequestMatcher, method: string, path: string, headers: Headers): boolean {
  if (m.uri) {
    // Envoy compares exact and regex path matches without the query string.
    let p = m.uri.kind === PREFIX ? path : pathOnly(path);
    if (m.ignoreUriCase && m.uri.kind !== REGEX) p = p.toLowerCase();
    if (!matchString(m.uri, p)) return false;
  }
  if (m.method && !matchString(m.method, method)) return false;
  for (const [name, matcher] of m.headers) {
    const raw = headers[name];
    if (raw === undefined) return false;
    if (!matchString(matcher, typeof raw === 'string' ? raw : raw.join(','))) return false;
  }
  return true;
}

/** The first route that matches, or undefined (Envoy: no route, NR). */
export function selectRoute<R extends MatchableRoute>(
  routes: readonly R[],
  method: string,
  path: string,
  headers: Headers,
): R | undefined {
  for (const route of routes) {
    if (route.matchers.length === 0) return route;
    for (const m of route.matchers) if (matchesRequest(m, method, path, headers)) return route;
  }
  return undefined;
}

/** Cumulative weights of a route's destinations (a lone destination without weight weighs 100). */
export function cumulativeWeights(weights: ReadonlyArray<number | undefined>): number[] {
  const out: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w ?? (weights.length === 1 ? 100 : 0);
    out.push(sum);
  }
  return out;
}

/** Index of the destination a uniform `random` in [0, 1) falls on; -1 when every weight is 0. */
export function pickWeighted(cumulative: readonly number[], random: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return -1;
  const x = random * total;
  for (let i = 0; i < cumulative.length; i++) if (x < (cumulative[i] as number)) return i;
  return cumulative.length - 1;
}
