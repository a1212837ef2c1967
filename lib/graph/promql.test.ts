import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  destinationLatencyBucketQuery,
  eq,
  escapeLabelValue,
  escapeRegex,
  joinedRequestRateQuery,
  MAX_CALLERS_MATCHED,
  oneOf,
  REQUEST_LABELS,
  reporterSelections,
  requestRateQuery,
  selector,
  sourceLatencyBucketQuery,
  splitJoinedLabels,
  splitJoinedRequests,
} from './promql';

describe('escaping user input into PromQL', () => {
  it('escapes backslashes, quotes and newlines so a value cannot close its string', () => {
    expect(escapeLabelValue('a"} or vector(1) #')).toBe('a\\"} or vector(1) #');
    expect(escapeLabelValue('back\\slash\nnl')).toBe('back\\\\slash\\nnl');
    expect(selector([eq('destination_workload', 'x"}[5m]) or up{a="')])).toBe(
      '{destination_workload="x\\"}[5m]) or up{a=\\""}',
    );
  });

  it('escapes regex metacharacters in alternatives', () => {
    expect(escapeRegex('a.b|c')).toBe('a\\.b\\|c');
    expect(selector([oneOf('ns', ['a.b', 'c'])])).toBe('{ns=~"a\\\\.b|c"}');
    expect(selector([oneOf('ns', ['only'])])).toBe('{ns="only"}');
  });

  it('refuses label names that are not identifiers', () => {
    expect(() => selector([eq('bad name', 'x')])).toThrow(/invalid label name/);
  });
});

describe('reporter selections', () => {
  it('uses one selection per reporter for the whole mesh', () => {
    expect(reporterSelections([])).toEqual({
      source: [[eq('reporter', 'source')]],
      destination: [[eq('reporter', 'destination')]],
    });
  });

  it('selects source-reported by caller or service namespace, destination-reported by workload namespace', () => {
    const q = requestRateQuery(reporterSelections(['bookinfo', 'shop']).source, '60s');
    expect(q).toContain(
      'istio_requests_total{reporter="source",source_workload_namespace=~"bookinfo|shop"}[60s]',
    );
    expect(q).toContain(' or ');
    expect(q).toContain('destination_service_namespace=~"bookinfo|shop"');
    const d = requestRateQuery(reporterSelections(['bookinfo']).destination, '5m');
    expect(d).toBe(
      `sum by (${[
        'reporter',
        'source_workload_namespace',
        'source_workload',
        'source_canonical_service',
        'source_canonical_revision',
        'source_app',
        'source_version',
        'destination_service_namespace',
        'destination_service',
        'destination_service_name',
        'destination_workload_namespace',
        'destination_workload',
        'destination_canonical_service',
        'destination_canonical_revision',
        'destination_app',
        'destination_version',
        'request_protocol',
        'response_code',
        'grpc_response_status',
        'response_flags',
        'connection_security_policy',
        'source_principal',
        'destination_principal',
      ].join(
        ',',
      )}) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="bookinfo"}[5m]))`,
    );
  });

  it('takes latency from 2xx responses only, by le and the edge-telling labels', () => {
    const q = sourceLatencyBucketQuery(reporterSelections([]), '60s');
    expect(q).toBe(
      'sum by (le,reporter,source_workload_namespace,source_workload,destination_service,destination_workload_namespace,destination_workload) (rate(istio_request_duration_milliseconds_bucket{reporter="source",response_code=~"2.."}[60s]))',
    );
  });

  it('reads destination-reported buckets only for the callers no proxy reports', () => {
    const sel = reporterSelections(['bookinfo']);
    expect(destinationLatencyBucketQuery(sel, '60s', ['unknown', 'curl.v1'])).toContain(
      '{reporter="destination",destination_workload_namespace="bookinfo",response_code=~"2..",source_workload=~"unknown|curl\\\\.v1"}',
    );
    // Too many callers to list: every caller's buckets (the response-time appender keeps the right ones).
    const many = Array.from({ length: MAX_CALLERS_MATCHED + 1 }, (_, i) => `w${i}`);
    expect(destinationLatencyBucketQuery(sel, '60s', many)).not.toContain('source_workload=~');
  });

  it('joins the request labels into one in Prometheus and splits them back here', () => {
    const q = joinedRequestRateQuery(reporterSelections(['a"b']).source, '60s');
    expect(q).toMatch(
      /^sum by \(request\) \(label_join\(rate\(istio_requests_total\{reporter="source",source_workload_namespace="a\\"b"\}\[60s\]\), "request", ";", "reporter", "source_workload_namespace",/,
    );
    expect(q).toContain(' or ');
    const values = REQUEST_LABELS.map((l) => (l === 'grpc_response_status' ? '' : `${l}-v`));
    const [sample] = splitJoinedRequests([{ labels: { request: values.join(';') }, value: 2 }]) ?? [];
    // Every label back under its name; an empty one left out, as Prometheus leaves it out.
    expect(sample?.value).toBe(2);
    expect(Object.keys(sample?.labels ?? {})).toHaveLength(REQUEST_LABELS.length - 1);
    expect(sample?.labels.destination_service).toBe('destination_service-v');
    expect(sample?.labels.grpc_response_status).toBeUndefined();
    // A value holding the separator, or an answer without the joined label: no split (the caller falls back).
    expect(splitJoinedRequests([{ labels: { request: `${values.join(';')};x` }, value: 1 }])).toBeUndefined();
    expect(splitJoinedRequests([{ labels: { reporter: 'source' }, value: 1 }])).toBeUndefined();
    expect(splitJoinedLabels('a;;c', ['x', 'y', 'z'])).toEqual({ x: 'a', z: 'c' });
  });

  it('keeps the split request labels as a fast object, not a dictionary (they are kept between graphs)', () => {
    // V8 makes an object of more than 16 properties stored by a computed key a dictionary: ~1.5 KB for the 21
    // request labels against ~0.2 KB, 31,000 of them kept at 5,000 workloads (a heap snapshot: 62 MB).
    setFlagsFromString('--allow-natives-syntax');
    const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
    const values = REQUEST_LABELS.map((l) => `${l}-fast`);
    const [sample] = splitJoinedRequests([{ labels: { request: values.join(';') }, value: 1 }]) ?? [];
    expect(Object.keys(sample?.labels ?? {})).toEqual([...REQUEST_LABELS]);
    expect(Object.isFrozen(sample?.labels)).toBe(true);
    expect(hasFastProperties(sample?.labels ?? {})).toBe(true);
  });

  it('gives the kept request labels of two series one string for a value they share', () => {
    setFlagsFromString('--allow-natives-syntax');
    // Two strings of the same characters are one only if they are the same string (internalized).
    const same = new Function('a', 'b', 'return %IsSameHeapObject(a, b)') as (
      a: string,
      b: string,
    ) => boolean;
    const values = REQUEST_LABELS.map((l) => `${l}-shared`);
    const other = values.map((v, i) => (i === 2 ? 'another-workload' : v));
    const [a, b] =
      splitJoinedRequests([
        { labels: { request: values.join(';') }, value: 1 },
        { labels: { request: other.join(';') }, value: 1 },
      ]) ?? [];
    expect(b?.labels.destination_service).toBe('destination_service-shared');
    expect(same(a?.labels.destination_service ?? '', b?.labels.destination_service ?? '')).toBe(true);
  });
});
