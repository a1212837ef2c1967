// Reads one tag or log field as any Jaeger-compatible backend writes it: the declared type trusted when
// the JSON value fits it, converted when it fits after reading (`"true"` for a bool), else re-typed after
// the value actually sent; every change said in words for the span's warnings.
import type { KeyValue } from './model';

/** Collects the repairs made to one span, in words. */
export type Warn = (message: string) => void;

const INT_TEXT = /^-?\d+$/;

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A value the declared type could not hold, kept as the JSON it was. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The KeyValue a bare JSON value is (for fields without a type, or with one nobody knows). */
function inferred(key: string, value: unknown): KeyValue {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { key, type: 'int64', value } : { key, type: 'float64', value };
  }
  return { key, type: 'string', value: asText(value) };
}

function retyped(key: string, declared: string, value: unknown, warn: Warn): KeyValue {
  const kv = inferred(key, value);
  warn(`tag "${key}": declared ${declared} but the value is ${typeOfValue(value)}; shown as ${kv.type}`);
  return kv;
}

function wellFormed(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'binary':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int64':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && INT_TEXT.test(value))
      );
    case 'float64':
      return typeof value === 'number' || value === null;
    default:
      return false;
  }
}

/** One tag or log field; undefined (with a warning) when it is not an object at all. */
export function lenientKeyValue(raw: unknown, warn: Warn): KeyValue | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    warn(`a tag that is not an object (${typeOfValue(raw)}) was dropped`);
    return undefined;
  }
  const r = raw as { key?: unknown; type?: unknown; value?: unknown };
  let key: string;
  if (typeof r.key === 'string') key = r.key;
  else {
    key = r.key === undefined || r.key === null ? '(no key)' : asText(r.key);
    warn(`a tag without a string key was read as "${key}"`);
  }
  const value = r.value;
  // The common case, a well-formed tag, is kept as it came (no copy: a 100,000-span trace has ~1M of them).
  if (typeof r.key === 'string' && wellFormed(r.type, value)) return raw as KeyValue;
  const declared = typeof r.type === 'string' ? r.type.toLowerCase() : undefined;
  switch (declared) {
    case 'string':
      if (typeof value === 'string') return { key, type: 'string', value };
      return retyped(key, 'string', value, warn);
    case 'bool':
    case 'boolean':
      if (typeof value === 'boolean') return { key, type: 'bool', value };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
        warn(`tag "${key}": bool sent as the string "${value}"; read as a bool`);
        return { key, type: 'bool', value: value.trim().toLowerCase() === 'true' };
      }
      if (value === 0 || value === 1) {
        warn(`tag "${key}": bool sent as the number ${value}; read as a bool`);
        return { key, type: 'bool', value: value === 1 };
      }
      return retyped(key, 'bool', value, warn);
    case 'int64':
      // A decimal string is how int64 beyond JavaScript's safe range travels: as documented, no warning.
      if (typeof value === 'number' && Number.isInteger(value)) return { key, type: 'int64', value };
      if (typeof value === 'string' && INT_TEXT.test(value.trim()))
        return { key, type: 'int64', value: value.trim() };
      return retyped(key, 'int64', value, warn);
    case 'float64':
      if (typeof value === 'number' || value === null) return { key, type: 'float64', value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        warn(`tag "${key}": float64 sent as the string "${value}"; read as a number`);
        return { key, type: 'float64', value: Number(value) };
      }
      return retyped(key, 'float64', value, warn);
    case 'binary':
      if (typeof value === 'string') return { key, type: 'binary', value };
      return retyped(key, 'binary', value, warn);
    default: {
      const kv = inferred(key, value);
      warn(
        declared === undefined
          ? `tag "${key}" has no type; read as ${kv.type}`
          : `tag "${key}" has the unknown type "${String(r.type)}"; read as ${kv.type}`,
      );
      return kv;
    }
  }
}

/** A list of tags: a missing or null list is empty (Go writes empty lists as null); anything else warned. */
export function lenientKeyValues(raw: unknown, what: string, warn: Warn): KeyValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    warn(`${what} is not a list (${typeOfValue(raw)}); read as empty`);
    return [];
  }
  // The list as it came while every tag is kept as it came (the common case: no copy, and no array grown
  // by push, whose spare capacity costs ~100 bytes a span on a 100,000-span trace); copied from the first
  // tag that is repaired or dropped.
  let out: KeyValue[] | undefined;
  for (let i = 0; i < raw.length; i++) {
    const kv = lenientKeyValue(raw[i], warn);
    if (out === undefined && kv === raw[i]) continue;
    out ??= raw.slice(0, i) as KeyValue[];
    if (kv) out.push(kv);
  }
  return out ?? (raw as KeyValue[]);
}
