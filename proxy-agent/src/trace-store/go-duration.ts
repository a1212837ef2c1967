// Go's time.ParseDuration, which Jaeger uses for minDuration/maxDuration: "1.2s", "100ms", "1h30m", "250us".

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const PART = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

export type GoDuration = { ok: true; ns: number } | { ok: false; error: string };

/** Nanoseconds of a Go duration string, or Go's own error message. */
export function parseGoDuration(text: string): GoDuration {
  const invalid: GoDuration = { ok: false, error: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ns: 0 };
  if (rest === '') return invalid;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const start = PART.lastIndex;
    const m = PART.exec(rest);
    if (!m || PART.lastIndex === start) return invalid;
    const [, whole = '', frac, unit = ''] = m;
    if (whole === '' && (frac === undefined || frac === '')) return invalid;
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${JSON.stringify(text)}` };
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      return {
        ok: false,
        error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`,
      };
    }
    total += Number(`${whole || '0'}.${frac ?? ''}0`) * scale;
  }
  return { ok: true, ns: sign * Math.round(total) };
}
