// Reads one trace in Jaeger's JSON model the lenient way Jaeger UI does: every field a backend may leave
// out, send as null or type differently is read into the model (`./model.ts`) and what was changed goes
// into that span's `warnings`. Only something that is not a trace at all (no spans array) is refused.
// The tree-level repairs (orphans, cycles, clock skew, missing times) follow in `./trace-structure.ts`.
import { lenientId } from './lenient-id';
import { lenientKeyValues, type Warn } from './lenient-key-value';
import type { Log, Process, Reference, Span, Trace } from './model';

/** A span's own repairs beyond this many are summed up in one last warning. */
export const MAX_WARNINGS_PER_SPAN = 20;
/** µs timestamps above this are nanoseconds (year 5138 in µs); some shims send those. */
const NANOS_THRESHOLD = 1e17;

/** Spans whose start time was missing or not positive: `trace-structure` places them by their parent. */
export interface ReadTrace {
  trace: Trace;
  missingStart: Set<Span>;
}

export type ReadTraceResult = { ok: true; value: ReadTrace } | { ok: false; message: string };

export function warningSink(): { warn: Warn; done: (existing: string[] | null) => string[] | null } {
  const out: string[] = [];
  let dropped = 0;
  return {
    warn: (m) => {
      if (out.length < MAX_WARNINGS_PER_SPAN) out.push(m);
      else dropped++;
    },
    done: (existing) => {
      if (dropped > 0) out.push(`…and ${dropped} more repairs`);
      if (out.length === 0) return existing;
      return [...(existing ?? []), ...out];
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function number(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A µs time; nanoseconds scaled down with a warning. */
function micros(raw: unknown, field: string, warn: Warn): number | undefined {
  const n = number(raw);
  if (n === undefined) return undefined;
  if (typeof raw === 'string') warn(`${field} sent as a string; read as a number`);
  if (Math.abs(n) > NANOS_THRESHOLD) {
    warn(`${field} ${n} looks like nanoseconds; read as ${Math.round(n / 1000)} µs`);
    return Math.round(n / 1000);
  }
  return n;
}

function list(raw: unknown, what: string, warn: Warn): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw;
  warn(`${what} is not a list; read as empty`);
  return [];
}

const REF_TYPES: Record<string, Reference['refType']> = {
  child_of: 'CHILD_OF',
  childof: 'CHILD_OF',
  follows_from: 'FOLLOWS_FROM',
  followsfrom: 'FOLLOWS_FROM',
};

function readReference(raw: unknown, traceID: string, warn: Warn): Reference | undefined {
  if (!isObject(raw)) {
    warn('a reference that is not an object was dropped');
    return undefined;
  }
  const spanID = lenientId(raw.spanID ?? raw.spanId, 'span id', warn);
  if (spanID === undefined) {
    warn('a reference without a span id was dropped');
    return undefined;
  }
  const typeText = typeof raw.refType === 'string' ? raw.refType : '';
  let refType = REF_TYPES[typeText.toLowerCase()];
  if (refType === undefined) {
    refType = 'CHILD_OF';
    warn(`reference to ${spanID} has the type "${typeText || 'none'}"; read as CHILD_OF`);
  } else if (typeText !== refType) warn(`reference type "${typeText}" read as ${refType}`);
  const refTrace = lenientId(raw.traceID ?? raw.traceId, 'trace id', warn) ?? traceID;
  return { refType, traceID: refTrace, spanID };
}

function readLog(raw: unknown, warn: Warn): Log | undefined {
  if (!isObject(raw)) {
    warn('a log that is not an object was dropped');
    return undefined;
  }
  const timestamp = micros(raw.timestamp, 'log timestamp', warn);
  if (timestamp === undefined) warn('a log without a timestamp is placed at the span start');
  return { timestamp: timestamp ?? Number.NaN, fields: lenientKeyValues(raw.fields, 'log fields', warn) };
}

function readProcess(raw: unknown, pid: string, warn: Warn): Process {
  if (!isObject(raw)) {
    warn(`process ${pid} is ${raw === null ? 'null' : 'not an object'}; service shown as "${pid}"`);
    return { serviceName: pid, tags: [] };
  }
  let serviceName = raw.serviceName;
  if (typeof serviceName !== 'string' || serviceName === '') {
    warn(`process ${pid} has no service name; shown as "${pid}"`);
    serviceName = pid;
  }
  return {
    serviceName: serviceName as string,
    tags: lenientKeyValues(raw.tags, `process ${pid} tags`, warn),
  };
}

/** Reads one trace object. `fallbackId` names a trace whose id and spans' ids are all missing. */
export function readTrace(raw: unknown, fallbackId = 'unknown-trace'): ReadTraceResult {
  if (!isObject(raw)) return { ok: false, message: 'a trace must be a JSON object' };
  if (!Array.isArray(raw.spans)) {
    return { ok: false, message: 'not a trace: it has no "spans" list' };
  }
  const traceWarnings: string[] = Array.isArray(raw.warnings) ? raw.warnings.map(String) : [];
  const quiet: Warn = (m) => traceWarnings.push(m);
  const firstSpan = raw.spans.find(isObject);
  const traceID =
    lenientId(raw.traceID ?? raw.traceId, 'trace id', quiet) ??
    lenientId(firstSpan?.traceID ?? firstSpan?.traceId, 'trace id', () => {}) ??
    fallbackId;

  const rawProcesses = isObject(raw.processes) ? raw.processes : {};
  if (raw.processes !== undefined && raw.processes !== null && !isObject(raw.processes)) {
    traceWarnings.push('"processes" is not an object; every service is unknown');
  }
  const processes: Record<string, Process> = {};
  // Process warnings belong to every span of that process; read each once.
  const processWarnings = new Map<string, string[]>();
  const processOf = (pid: string): Process | undefined => {
    const known = processes[pid];
    if (known) return known;
    if (!Object.hasOwn(rawProcesses, pid)) return undefined;
    const w: string[] = [];
    const p = readProcess(rawProcesses[pid], pid, (m) => w.push(m));
    processes[pid] = p;
    processWarnings.set(pid, w);
    return p;
  };

  const spans: Span[] = [];
  const missingStart = new Set<Span>();
  let dropped = 0;
  let embedded = 0;
  for (let i = 0; i < raw.spans.length; i++) {
    const s = raw.spans[i];
    if (!isObject(s)) {
      dropped++;
      continue;
    }
    const sink = warningSink();
    const warn = sink.warn;
    const spanTrace = lenientId(s.traceID ?? s.traceId, 'trace id', warn) ?? traceID;
    let spanID = lenientId(s.spanID ?? s.spanId, 'span id', warn);
    if (spanID === undefined) {
      spanID = `missing-span-id-${i + 1}`;
      warn(`span has no span id; shown as "${spanID}"`);
    }
    let operationName: string;
    if (typeof s.operationName === 'string') operationName = s.operationName;
    else {
      operationName =
        s.operationName === undefined || s.operationName === null
          ? '(no operation name)'
          : String(s.operationName);
      warn(`operation name missing or not text; shown as "${operationName}"`);
    }
    const rawRefs = list(s.references, 'references', warn);
    // Sized up front: an array grown by push keeps spare capacity for the trace's life.
    const references: Reference[] = new Array(rawRefs.length);
    let kept = 0;
    for (const r of rawRefs) {
      const ref = readReference(r, spanTrace, warn);
      if (ref && ref.spanID === spanID && ref.traceID === spanTrace) {
        warn(`a reference of the span to itself was dropped`);
      } else if (ref) references[kept++] = ref;
    }
    references.length = kept;
    const parentSpanID =
      s.parentSpanID === undefined && s.parentSpanId === undefined
        ? undefined
        : lenientId(s.parentSpanID ?? s.parentSpanId, 'span id', warn);

    let startTime = micros(s.startTime, 'start time', warn);
    if (startTime === undefined || startTime <= 0) {
      warn(
        startTime === undefined
          ? 'start time missing; placed at its parent’s start'
          : `start time ${startTime} is not positive; placed at its parent’s start`,
      );
      startTime = Number.NaN;
    }
    let duration = micros(s.duration, 'duration', warn);
    if (duration === undefined) {
      warn('duration missing; drawn as an instant (0)');
      duration = 0;
    } else if (duration < 0) {
      warn(`duration ${duration} µs is negative; drawn as an instant (0)`);
      duration = 0;
    } else if (duration === 0) warn('duration is 0; drawn as an instant');

    const tags = lenientKeyValues(s.tags, 'tags', warn);
    const logs: Log[] = [];
    for (const l of list(s.logs, 'logs', warn)) {
      const log = readLog(l, warn);
      if (log) logs.push(log);
    }

    let processID = typeof s.processID === 'string' ? s.processID : '';
    // Some shims (and Jaeger's api_v2 JSON) embed the process in the span instead.
    if (processID === '' && isObject(s.process)) {
      processID = `embedded-${++embedded}`;
      rawProcesses[processID] = s.process;
    }
    if (processID === '') {
      processID = 'unknown';
      warn('span has no process; service shown as "unknown"');
      processes.unknown ??= { serviceName: 'unknown', tags: [] };
    } else if (processOf(processID) === undefined) {
      warn(`process ${processID} is not in the trace; service shown as "${processID}"`);
      processes[processID] = { serviceName: processID, tags: [] };
      processWarnings.set(processID, []);
    }
    for (const m of processWarnings.get(processID) ?? []) warn(m);

    let flags: number | undefined;
    if (s.flags !== undefined && s.flags !== null) {
      flags = number(s.flags);
      if (flags === undefined) warn(`flags "${String(s.flags)}" are not a number; ignored`);
    }
    let existing: string[] | null = null;
    if (Array.isArray(s.warnings)) existing = s.warnings.map(String);
    else if (s.warnings !== undefined && s.warnings !== null) {
      warn('warnings is not a list; its text kept as one warning');
      existing = [String(s.warnings)];
    }
    const span: Span = {
      traceID: spanTrace,
      spanID,
      operationName,
      references,
      startTime,
      duration,
      tags,
      logs,
      processID,
      warnings: sink.done(existing),
    };
    if (parentSpanID !== undefined) span.parentSpanID = parentSpanID;
    if (flags !== undefined) span.flags = flags;
    if (Number.isNaN(startTime)) missingStart.add(span);
    spans.push(span);
  }
  if (dropped > 0) traceWarnings.push(`${dropped} spans were not objects and were dropped`);
  return {
    ok: true,
    value: {
      trace: { traceID, spans, processes, warnings: traceWarnings.length > 0 ? traceWarnings : null },
      missingStart,
    },
  };
}
