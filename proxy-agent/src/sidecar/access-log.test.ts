import { describe, expect, it, vi } from 'vitest';
import {
  AccessLog,
  type AccessLogInput,
  accessLogEntry,
  MAX_ACCESS_LOG_LIMIT,
  MAX_LOGGED_HEADER,
  MAX_LOGGED_PATH,
  parseAccessLogLimit,
} from './access-log';

const input = (path: string, over: Partial<AccessLogInput> = {}): AccessLogInput => ({
  direction: 'outbound',
  startMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
  method: 'GET',
  path,
  httpVersionMinor: 1,
  headers: { host: 'reviews:9080', 'x-request-id': 'r1' },
  responseCode: 200,
  responseFlags: '-',
  requestBytes: 0,
  responseBytes: 10,
  durationMs: 12.6,
  ...over,
});

describe('accessLogEntry', () => {
  it('writes Envoy’s fields, `-` for what is absent', () => {
    expect(accessLogEntry(input('/a', { responseFlags: '', headers: {} }))).toMatchObject({
      start_time: '2026-01-02T03:04:05.006Z',
      protocol: 'HTTP/1.1',
      response_flags: '-',
      duration: 13,
      upstream_host: '-',
      upstream_cluster: '-',
      authority: '-',
      request_id: '-',
      user_agent: '-',
      trace_id: '-',
    });
    expect(accessLogEntry(input('/a', { httpVersionMinor: undefined })).protocol).toBe('HTTP/2');
  });

  it('clips a long path and header values, so one request cannot grow the log', () => {
    const e = accessLogEntry(
      input(`/${'x'.repeat(10_000)}`, { headers: { 'x-request-id': 'y'.repeat(5000) } }),
    );
    expect(e.path.length).toBe(MAX_LOGGED_PATH);
    expect(e.request_id.length).toBe(MAX_LOGGED_HEADER);
  });
});

describe('AccessLog ring', () => {
  it('keeps the newest entries up to its capacity, newest first', () => {
    const log = new AccessLog(3);
    for (let i = 0; i < 7; i++) log.record(input(`/${i}`));
    expect(log.recent(10).map((e) => e.path)).toEqual(['/6', '/5', '/4']);
    expect(log.recent(1).map((e) => e.path)).toEqual(['/6']);
    expect(log.total).toBe(7);
  });

  it('answers what it has before it is full', () => {
    const log = new AccessLog(5);
    log.record(input('/only'));
    expect(log.recent(5).map((e) => e.path)).toEqual(['/only']);
  });

  it('logs a gRPC call with its status and a TCP connection as Envoy’s tcp_proxy does', () => {
    const log = new AccessLog(4, { host: '127.0.0.1:27017', cluster: 'inbound|27017||' });
    log.log(
      'outbound',
      { method: 'POST', url: '/bench.Echo/Unary', headers: { host: 'ratings:9080' } },
      performance.now(),
      { responseCode: 200, responseFlags: '-', requestBytes: 5, responseBytes: 7, grpcStatus: 14 },
      { host: '127.0.0.1:1', cluster: 'outbound|9080||ratings.default.svc.cluster.local' },
    );
    log.logConnection('inbound', performance.now(), {
      responseFlags: 'UC',
      bytesReceived: 100,
      bytesSent: 200,
    });
    const [tcp, grpc] = log.recent(2);
    expect(grpc).toMatchObject({ protocol: 'HTTP/2', grpc_status: '14', response_code: 200 });
    expect(tcp).toMatchObject({
      direction: 'inbound',
      method: '-',
      path: '-',
      protocol: '-',
      response_code: 0,
      grpc_status: '-',
      response_flags: 'UC',
      bytes_received: 100,
      bytes_sent: 200,
      upstream_host: '127.0.0.1:27017',
      upstream_cluster: 'inbound|27017||',
    });
  });

  it('logs the duration the listener measured when it gives one, and its start that long before now', () => {
    const log = new AccessLog(2);
    const before = Date.now();
    log.log('inbound', { method: 'GET', url: '/d', headers: {} }, performance.now(), {
      responseCode: 200,
      responseFlags: '-',
      requestBytes: 0,
      responseBytes: 1,
      durationMs: 2500,
    });
    const [e] = log.recent(1);
    expect(e?.duration).toBe(2500);
    const start = Date.parse(e?.start_time ?? '');
    expect(start).toBeGreaterThanOrEqual(before - 2501);
    expect(start).toBeLessThanOrEqual(Date.now() - 2499);
  });

  it('reads the wall clock at most once a second, carrying it on the monotonic clock between', () => {
    const log = new AccessLog(3);
    const now = vi.spyOn(Date, 'now');
    try {
      const at = (startPerf: number, wall: number) => {
        now.mockReturnValue(wall);
        log.log('inbound', { method: 'GET', url: '/w', headers: {} }, startPerf, {
          responseCode: 200,
          responseFlags: '-',
          requestBytes: 0,
          responseBytes: 0,
          durationMs: 5,
        });
        return Date.parse(log.recent(1)[0]?.start_time ?? '');
      };
      expect(at(10_000, 1_000_000)).toBe(999_995);
      // The wall clock stepped, 0.5 s later on the monotonic clock: carried forward, not read.
      expect(at(10_500, 5_000_000)).toBe(1_000_495);
      // Over a second since it was read: read again.
      expect(at(11_100, 5_000_000)).toBe(4_999_995);
    } finally {
      now.mockRestore();
    }
  });

  it('refuses a capacity below one', () => {
    expect(() => new AccessLog(0)).toThrow(/positive integer/);
  });
});

describe('parseAccessLogLimit', () => {
  it('defaults to 100 and takes whole numbers up to the maximum', () => {
    expect(parseAccessLogLimit(null)).toEqual({ ok: true, limit: 100 });
    expect(parseAccessLogLimit('7')).toEqual({ ok: true, limit: 7 });
    expect(parseAccessLogLimit(String(MAX_ACCESS_LOG_LIMIT + 1)).ok).toBe(false);
    expect(parseAccessLogLimit('1e2').ok).toBe(false);
  });
});
