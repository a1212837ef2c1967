// A tag's value as text, the way Jaeger compares tags in a search (model.KeyValue.AsString):
// bools as true/false, float64 like Go's %g with 10 digits, binary as hex (first 256 bytes, then "...").
import type { KeyValue } from '../../../lib/jaeger/model';

const MAX_BINARY_BYTES = 256;

export function tagValueString(kv: KeyValue): string {
  switch (kv.type) {
    case 'string':
      return kv.value;
    case 'bool':
      return kv.value ? 'true' : 'false';
    case 'int64':
      return String(kv.value);
    case 'float64':
      return kv.value === null ? 'NaN' : formatFloatG10(kv.value);
    case 'binary': {
      const bytes = Buffer.from(kv.value, 'base64');
      return bytes.length > MAX_BINARY_BYTES
        ? `${bytes.subarray(0, MAX_BINARY_BYTES).toString('hex')}...`
        : bytes.toString('hex');
    }
  }
}

/** Go's strconv.FormatFloat(x, 'g', 10, 64). */
export function formatFloatG10(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = x.toExponential(9).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 10) {
    const m = stripZeros(mantissa);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(x.toFixed(Math.max(0, 9 - exp)));
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
