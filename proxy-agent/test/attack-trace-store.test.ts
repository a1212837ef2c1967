// Hostile input against the trace store, over real HTTP on loopback: requests Node or the handler cannot
// read, slow and oversized requests, memory-filling exports, gzip bombs and oversized searches each end in
// a clear 4xx/5xx (or a remark in the answer) while the process keeps serving.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraceStore } from '../src/trace-store/index';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

/** Writes `text` on a fresh connection and reads until the server closes it (bounded). */
function rawExchange(port: number, text: string, { endAfterWrite = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (endAfterWrite) socket.end();
    });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 15 s; got ${JSON.stringify(answer.slice(0, 200))}`));
    }, 15_000);
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('error', () => {}); // a reset after the answer is fine: the answer is what counts
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An OTLP/JSON export: one span per trace number, with `attrBytes` of attribute text on each span. */
function exportOf(service: string, traceNos: number[], attrBytes = 0, spanNo = 1) {
  const start = nowNs() - 1_000_000_000n;
  const attributes: { key: string; value: { stringValue: string } }[] = [];
  // Values stay under the 64 KiB cut, so each span really holds `attrBytes`.
  for (let left = attrBytes, i = 0; left > 0; left -= 60_000, i++) {
    attributes.push({ key: `pad.${i}`, value: { stringValue: 'x'.repeat(Math.min(60_000, left)) } });
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: traceNos.map((t) => ({
              traceId: hex(t + 1, 32),
              spanId: hex(spanNo, 16),
              name: 'op',
              kind: 2,
              startTimeUnixNano: String(start),
              endTimeUnixNano: String(start + 1_000_000n),
              attributes,
            })),
          },
        ],
      },
    ],
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('trace-store listeners under malformed and slow requests (the built CLI)', () => {
  let store: AgentProcess;
  let otlpPort: number;
  let queryPort: number;

  beforeAll(async () => {
    [otlpPort, queryPort] = [await freePort(), await freePort()];
    store = spawnAgent([
      'trace-store',
      '--otlp-port',
      String(otlpPort),
      '--query-port',
      String(queryPort),
      '--headers-timeout',
      '1s',
      '--request-timeout',
      '2s',
      '--max-header-bytes',
      '4096',
    ]);
    await waitFor(() => store.output().includes('Jaeger query API on'), { what: 'the trace store' });
  });
  afterAll(async () => {
    await store?.stop();
  });

  const alive = async () => {
    expect(store.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${queryPort}/api/services`)).status).toBe(200);
  };

  it("answers a request target that is not a URL with 400 in Jaeger's envelope, and keeps serving", async () => {
    const answer = await rawExchange(queryPort, 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    const envelope = JSON.parse(bodyOf(answer)) as { data: unknown; errors: { code: number; msg: string }[] };
    expect(envelope.data).toBeNull();
    expect(envelope.errors[0]?.code).toBe(400);
    expect(envelope.errors[0]?.msg).toMatch(/^bad request: /);
    const otlp = await rawExchange(
      otlpPort,
      'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(statusOf(otlp)).toBe(404);
    await alive();
    expect(store.output()).toMatch(/trace-store query: bad request on GET \/\/\[/);
  });

  it("answers bytes that are not HTTP with 400 in each port's error shape, then closes", async () => {
    const query = await rawExchange(queryPort, 'HELLO THERE\r\n\r\n');
    expect(statusOf(query)).toBe(400);
    expect((JSON.parse(bodyOf(query)) as { errors: { code: number }[] }).errors[0]?.code).toBe(400);
    const otlp = await rawExchange(otlpPort, 'HELLO THERE\r\n\r\n');
    expect(statusOf(otlp)).toBe(400);
    expect(JSON.parse(bodyOf(otlp))).toMatchObject({ code: 3 }); // google.rpc.Status INVALID_ARGUMENT
    await alive();
  });

  it('answers headers past --max-header-bytes with 431', async () => {
    const answer = await rawExchange(
      queryPort,
      `GET /api/services HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(8192)}\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(431);
    expect(bodyOf(answer)).toMatch(/request headers exceed 4096 bytes/);
    await alive();
  });

  it('cuts off a client that never finishes its headers, with 408 after --headers-timeout', async () => {
    // Half a request, never finished: the server must not wait for the rest forever.
    const answer = await rawExchange(queryPort, 'GET /api/services HTTP/1.1\r\nHost: x\r\n');
    expect(statusOf(answer)).toBe(408);
    const otlp = await rawExchange(
      otlpPort,
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"resourceSpans":',
    );
    expect(statusOf(otlp)).toBe(408);
    await alive();
  });

  it('answers attributes nested past any sane depth (JSON and protobuf) with a clear rejection, and keeps serving', async () => {
    const depth = 200_000;
    const value = `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`;
    const json = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${hex(9, 32)}","spanId":"${hex(1, 16)}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    const jsonRes = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, {
      method: 'POST',
      body: json,
      headers: { 'content-type': 'application/json' },
    });
    expect(jsonRes.status).toBe(200);
    expect(
      ((await jsonRes.json()) as { partialSuccess: { rejectedSpans: string } }).partialSuccess,
    ).toMatchObject({ rejectedSpans: '1' });
    // The same in protobuf: AnyValue.array_value (5) → ArrayValue.values (1) → AnyValue ...
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
      return [...out, n];
    };
    const field = (no: number, bytes: Buffer) =>
      Buffer.concat([Buffer.from([(no << 3) | 2, ...varint(bytes.length)]), bytes]);
    let nested = Buffer.from([0x0a, 0x01, 0x78]);
    for (let i = 0; i < 10_000; i++) nested = field(5, field(1, nested));
    const span = Buffer.concat([
      field(1, Buffer.alloc(16, 1)),
      field(2, Buffer.alloc(8, 1)),
      field(9, Buffer.concat([field(1, Buffer.from('deep')), field(2, nested)])),
    ]);
    const pbRes = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, {
      method: 'POST',
      body: new Uint8Array(field(1, field(2, field(2, span)))),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(pbRes.status).toBe(400);
    expect(Buffer.from(await pbRes.arrayBuffer()).toString()).toMatch(/cannot decode protobuf/);
    await alive();
  });

  it('refuses limits that contradict each other at start-up, naming the flags', async () => {
    const bad = spawnAgent([
      'trace-store',
      '--otlp-port',
      '0',
      '--query-port',
      '0',
      '--max-bytes',
      '4096',
      '--max-trace-bytes',
      '8192',
    ]);
    const code = await waitFor(() => bad.child.exitCode ?? undefined, { what: 'the refused start to exit' });
    expect(code).not.toBe(0);
    expect(bad.output()).toMatch(/--max-trace-bytes must not be larger than --max-bytes/);
  });
});

describe('trace-store memory budget (--max-bytes, --max-trace-bytes)', () => {
  it('holds at most --max-bytes of spans, evicting the oldest traces first, and keeps accepting', async () => {
    const maxBytes = 2 * 1024 * 1024;
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxBytes, maxTraceBytes: 512 * 1024 });
    try {
      // 40 traces of ~240 KB held each (attribute values are kept twice: the span's JSON and its match
      // text): 9.6 MB, far past the 2 MiB budget.
      for (const t of range(40)) {
        const res = await fetch(ts.otlpUrl, {
          method: 'POST',
          body: JSON.stringify(exportOf('budget', [t], 120_000)),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({});
        expect(ts.store.byteCount).toBeLessThanOrEqual(maxBytes);
      }
      expect(ts.store.traceCount).toBeGreaterThanOrEqual(4);
      expect(ts.store.traceCount).toBeLessThan(10);
      expect((await fetch(`${ts.queryUrl}/api/traces/${hex(1, 32)}`)).status).toBe(404); // the oldest: gone
      expect((await fetch(`${ts.queryUrl}/api/traces/${hex(40, 32)}`)).status).toBe(200); // the newest: held
    } finally {
      await ts.close();
    }
  });

  it('rejects the spans that would take one trace past --max-trace-bytes, saying why, and keeps the rest', async () => {
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxTraceBytes: 512 * 1024 });
    try {
      const send = async (spanNo: number) => {
        const res = await fetch(ts.otlpUrl, {
          method: 'POST',
          body: JSON.stringify(exportOf('runaway', [7], 100_000, spanNo)),
          headers: { 'content-type': 'application/json' },
        });
        return (await res.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
      };
      expect(await send(1)).toEqual({});
      expect(await send(2)).toEqual({});
      expect(await send(3)).toEqual({
        partialSuccess: {
          rejectedSpans: '1',
          errorMessage: `trace ${hex(8, 16)} would pass the maximum of 524288 bytes a trace may hold`,
        },
      });
      expect(ts.store.getTrace(hex(8, 16))?.spans).toHaveLength(2);
    } finally {
      await ts.close();
    }
  });
});

describe('OTLP receiver: decompressed bytes count', () => {
  const postGzip = (url: string, body: Buffer) =>
    fetch(url, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });

  it('counts decompressed bytes against the in-flight budget: a small gzip body inflating past it gets 503', async () => {
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxInflightBytes: 256 * 1024 });
    try {
      // 4 KB on the wire, 2 MiB once inflated: under the body limit, far past the in-flight budget.
      const inflating = gzipSync(JSON.stringify({ resourceSpans: [], pad: ' '.repeat(2 * 1024 * 1024) }));
      expect(inflating.length).toBeLessThan(64 * 1024);
      const refused = await postGzip(ts.otlpUrl, inflating);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ code: 14 });
      // The budget was given back: a normal compressed export still goes through.
      const ok = await postGzip(ts.otlpUrl, gzipSync(JSON.stringify(exportOf('gz', [1]))));
      expect(ok.status).toBe(200);
      expect(ts.store.traceCount).toBe(1);
    } finally {
      await ts.close();
    }
  });

  it('refuses a gzip bomb with 413 as soon as it inflates past the body limit', async () => {
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxBodyBytes: 1024 * 1024 });
    try {
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      const res = await postGzip(ts.otlpUrl, bomb);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        code: 8,
        message: 'request body exceeds the limit of 1048576 bytes',
      });
      expect((await postGzip(ts.otlpUrl, gzipSync(JSON.stringify(exportOf('gz', [2]))))).status).toBe(200);
    } finally {
      await ts.close();
    }
  });
});

describe('query API: searches are bounded in traces and bytes', () => {
  type Envelope = { data: { traceID: string }[] | null; errors: { code?: number; msg: string }[] | null };

  it("answers at most 1,500 traces (Jaeger UI's maximum) however large the limit, and says so in errors", async () => {
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0 });
    try {
      for (const part of [range(800), range(800).map((i) => i + 800)]) {
        const res = await fetch(ts.otlpUrl, {
          method: 'POST',
          body: JSON.stringify(exportOf('many', part)),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
      }
      expect(ts.store.traceCount).toBe(1600);
      const res = await fetch(`${ts.queryUrl}/api/traces?service=many&limit=100000`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Envelope;
      expect(body.data).toHaveLength(1500);
      expect(body.errors).toEqual([
        {
          code: 400,
          msg: "limit 100000 is past the maximum of 1500 (the trace store's --max-search-limit); answered at most 1500 traces",
        },
      ]);
      // A search names its service, as Jaeger requires, on v1 and v3 alike.
      expect((await fetch(`${ts.queryUrl}/api/traces?limit=10`)).status).toBe(400);
      expect(
        (await fetch(`${ts.queryUrl}/api/v3/traces?query.start_time_min=2020-01-01T00:00:00Z`)).status,
      ).toBe(400);
    } finally {
      await ts.close();
    }
  });

  it('stops adding traces past --max-response-bytes on every search path, and says so', async () => {
    const ts = await startTraceStore({ otlpPort: 0, queryPort: 0, maxResponseBytes: 300_000 });
    try {
      // 10 traces of ~100 KB held each: the whole set is ~1 MB, three times the cap.
      const res = await fetch(ts.otlpUrl, {
        method: 'POST',
        body: JSON.stringify(exportOf('big', range(10), 50_000)),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect(ts.store.traceCount).toBe(10);
      const cut = /^answer cut at [12] trace\(s\): more would pass 300000 bytes/;

      const search = (await (
        await fetch(`${ts.queryUrl}/api/traces?service=big&limit=20`)
      ).json()) as Envelope;
      expect(search.data?.length).toBeGreaterThanOrEqual(1);
      expect(search.data?.length).toBeLessThanOrEqual(2);
      expect(search.errors?.[0]?.msg).toMatch(cut);

      const ids = range(10).map((t) => `traceID=${hex(t + 1, 32)}`);
      const byId = (await (await fetch(`${ts.queryUrl}/api/traces?${ids.join('&')}`)).json()) as Envelope;
      expect(byId.data?.length).toBeLessThanOrEqual(2);
      expect(byId.errors?.[0]?.msg).toMatch(cut);

      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const v3 = await fetch(
        `${ts.queryUrl}/api/v3/traces?query.service_name=big&query.start_time_min=${from}&query.start_time_max=${to}&query.search_depth=20`,
      );
      expect(v3.status).toBe(200);
      expect(v3.headers.get('warning')).toMatch(/^299 - "answer cut at [12] trace/);
      const result = (
        (await v3.json()) as { result: { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] } }
      ).result;
      const spans = result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
      expect(spans.length).toBeLessThanOrEqual(2);
    } finally {
      await ts.close();
    }
  });
});
