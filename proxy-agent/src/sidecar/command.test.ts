import { describe, expect, it } from 'vitest';
import { parseSidecarArgs } from './command';
import { PROTOCOL_DETECTION_TIMEOUT_MS } from './connection-router';
import { MAX_CONCURRENT_STREAMS } from './h2-listener';
import { PASSTHROUGH_MAX_TUNNELS } from './passthrough-pools';
import { TCP_CONNECT_TIMEOUT_MS, TCP_IDLE_TIMEOUT_MS } from './tcp-proxy';

const base = ['--service', 'ratings', '--config', 'mesh.yaml'];

describe('sidecar flags for the protocol limits', () => {
  it('default to the named constants', () => {
    const o = parseSidecarArgs(base);
    expect(o !== 'help' && o.protocolDetectionTimeoutMs).toBe(PROTOCOL_DETECTION_TIMEOUT_MS);
    expect(o !== 'help' && o.maxConcurrentStreams).toBe(MAX_CONCURRENT_STREAMS);
    expect(o !== 'help' && o.tcpConnectTimeoutMs).toBe(TCP_CONNECT_TIMEOUT_MS);
    expect(o !== 'help' && o.tcpIdleTimeoutMs).toBe(TCP_IDLE_TIMEOUT_MS);
    expect(o !== 'help' && o.passthrough?.maxTunnels).toBe(PASSTHROUGH_MAX_TUNNELS);
  });

  it('take --protocol-detection-timeout, --max-concurrent-streams and --tcp-connect-timeout', () => {
    const o = parseSidecarArgs([
      ...base,
      ...['--protocol-detection-timeout', '250', '--max-concurrent-streams', '8'],
      ...['--tcp-connect-timeout', '1500', '--tcp-idle-timeout', '60000'],
      ...['--max-passthrough-tunnels', '16'],
    ]);
    expect(o).toMatchObject({
      protocolDetectionTimeoutMs: 250,
      maxConcurrentStreams: 8,
      tcpConnectTimeoutMs: 1500,
      tcpIdleTimeoutMs: 60000,
      passthrough: { maxTunnels: 16 },
    });
  });

  it('refuse values that are not positive integers, naming the flag', () => {
    for (const flag of [
      '--protocol-detection-timeout',
      '--max-concurrent-streams',
      '--tcp-connect-timeout',
      '--tcp-idle-timeout',
      '--max-passthrough-tunnels',
    ])
      expect(() => parseSidecarArgs([...base, flag, '0'])).toThrow(`${flag} must be a positive integer`);
  });

  it('register the inbound port under --port-name with --control-plane, and refuse a bad name', () => {
    const o = parseSidecarArgs([
      '--service',
      'mongodb',
      '--control-plane',
      'https://cp',
      '--port-name',
      'tcp-mongo',
    ]);
    expect(o !== 'help' && o.controlPlane?.portName).toBe('tcp-mongo');
    expect(() =>
      parseSidecarArgs(['--service', 'x', '--control-plane', 'https://cp', '--port-name', 'TCP Mongo']),
    ).toThrow(/--port-name must be a port name/);
  });
});
