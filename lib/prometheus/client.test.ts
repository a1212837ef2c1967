import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPrometheusClient,
  DEFAULT_MAX_ANSWER_BYTES,
  DEFAULT_PROMETHEUS_URL,
  isLoopback,
  maxAnswerBytesFromEnv,
  prometheusUrlFromEnv,
  promFloat,
  samplesOfAnswer,
  toPromError,
} from './client';

describe('Prometheus client configuration and errors', () => {
  it('takes its URL from PROMETHEUS_URL only, http(s) only', () => {
    expect(prometheusUrlFromEnv({})).toBe(DEFAULT_PROMETHEUS_URL);
    expect(prometheusUrlFromEnv({ PROMETHEUS_URL: 'http://prom:9090/' })).toBe('http://prom:9090');
    expect(() => prometheusUrlFromEnv({ PROMETHEUS_URL: 'file:///etc/passwd' })).toThrow(/must be http/);
  });

  it('turns driver failures into typed errors', () => {
    const base = 'http://127.0.0.1:9090';
    expect(toPromError({ errorType: 'network_error', error: 'connect ECONNREFUSED' }, base)).toEqual({
      code: 'prometheus_unavailable',
      message: `Prometheus at ${base} is unreachable: connect ECONNREFUSED`,
    });
    expect(toPromError({ errorType: 'timeout_error' }, base).code).toBe('prometheus_timeout');
    expect(
      toPromError({ errorType: 'http_error', httpStatus: 400, error: 'parse error' }, base),
    ).toMatchObject({
      code: 'prometheus_query_error',
      status: 400,
    });
    expect(toPromError({ errorType: 'http_error', httpStatus: 503 }, base).code).toBe(
      'prometheus_unavailable',
    );
  });
});

describe('instant answers', () => {
  it('reads a vector answer as samples, with Prometheus special floats', () => {
    const samples = samplesOfAnswer({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { a: '1' }, value: [1, '2.5'] },
          { metric: { a: '2' }, value: [1, '+Inf'] },
          { metric: { a: '3' }, value: [1, 'NaN'] },
        ],
      },
    });
    expect(samples.map((s) => s.labels.a)).toEqual(['1', '2', '3']);
    expect(samples[0]?.value).toBe(2.5);
    expect(samples[1]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[2]?.value).toBeNaN();
    expect(promFloat('-Inf')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('has no samples for scalar answers', () => {
    expect(samplesOfAnswer({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } })).toEqual(
      [],
    );
  });
});

describe('isLoopback', () => {
  it('tells this machine from others', () => {
    expect(isLoopback('http://127.0.0.1:9090')).toBe(true);
    expect(isLoopback('http://localhost:9090/prom')).toBe(true);
    expect(isLoopback('http://[::1]:9090')).toBe(true);
    expect(isLoopback('https://prometheus.monitoring.svc:9090')).toBe(false);
    expect(isLoopback('http://127.0.0.1.example.com')).toBe(false);
  });
});

describe('answer size bound', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  /** A Prometheus stand-in answering `samples` series, with a Content-Length or chunked. */
  async function fakePrometheus(samples: number, chunked: boolean): Promise<string> {
    const body = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: Array.from({ length: samples }, (_, i) => ({ metric: { pod: `p-${i}` }, value: [1, '1'] })),
      },
    });
    const server = createServer((_req, res) => {
      if (chunked) {
        res.write(body.slice(0, 10));
        res.end(body.slice(10));
      } else res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('reads answers under the bound, and refuses bigger ones in words, declared or streamed', async () => {
    for (const chunked of [false, true]) {
      const base = await fakePrometheus(200, chunked);
      const roomy = await createPrometheusClient({ baseUrl: base, maxAnswerBytes: 1 << 20 }).instant('up', 1);
      expect(roomy.ok && roomy.value.length).toBe(200);
      const tight = await createPrometheusClient({ baseUrl: base, maxAnswerBytes: 1000 }).instant('up', 1);
      expect(tight.ok).toBe(false);
      if (!tight.ok) {
        expect(tight.error.code).toBe('prometheus_query_error');
        expect(tight.error.message).toMatch(/larger than .*MESHLENS_PROMETHEUS_MAX_BYTES/);
      }
    }
  });

  /** A server on loopback answering each request with `answer`; counts its connections. */
  async function server(answer: (res: import('node:http').ServerResponse) => void) {
    let connections = 0;
    const s = createServer((_req, res) => answer(res));
    s.on('connection', () => connections++);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { base: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, connections: () => connections };
  }

  it('keeps its connection to Prometheus between reads', async () => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });
    const s = await server((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const client = createPrometheusClient({ baseUrl: s.base });
    for (let i = 0; i < 3; i++) expect((await client.instant('up', 1)).ok).toBe(true);
    expect(s.connections()).toBe(1);
  });

  it("types every failure: Prometheus' refusal, no answer in time, an answer cut short, nobody listening", async () => {
    const refused = await server((res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end('{"status":"error","errorType":"bad_data","error":"parse error at char 3"}'),
    );
    const r = await createPrometheusClient({ baseUrl: refused.base }).instant('up{', 1);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'prometheus_query_error',
        message: 'Prometheus rejected the query: parse error at char 3',
        status: 400,
      },
    });
    const silent = await server(() => {});
    const late = await createPrometheusClient({ baseUrl: silent.base, timeoutMs: 200 }).instant('up', 1);
    expect(late.ok === false && late.error.code).toBe('prometheus_timeout');
    const cut = await server((res) => {
      res.writeHead(200, { 'content-length': '1000' }).write('{"status":"succ');
      setTimeout(() => res.destroy(), 20);
    });
    const short = await createPrometheusClient({ baseUrl: cut.base }).instant('up', 1);
    expect(short.ok === false && short.error.code).toBe('prometheus_unavailable');
    const gone = await server(() => {});
    const port = new URL(gone.base).port;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const nobody = await createPrometheusClient({ baseUrl: `http://127.0.0.1:${port}` }).instant('up', 1);
    expect(nobody.ok === false && nobody.error).toMatchObject({
      code: 'prometheus_unavailable',
      message: expect.stringMatching(/unreachable: connect ECONNREFUSED/),
    });
  });

  it('takes the bound from MESHLENS_PROMETHEUS_MAX_BYTES, a positive whole number', () => {
    expect(maxAnswerBytesFromEnv({})).toBe(DEFAULT_MAX_ANSWER_BYTES);
    expect(maxAnswerBytesFromEnv({ MESHLENS_PROMETHEUS_MAX_BYTES: '1048576' })).toBe(1048576);
    expect(maxAnswerBytesFromEnv({ MESHLENS_PROMETHEUS_MAX_BYTES: '-5' })).toBe(DEFAULT_MAX_ANSWER_BYTES);
  });
});
