import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile, parseConfigText, staticFileSource } from './static-file-source';

const GOOD = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
---
`;

function problemsOf(fn: () => unknown): ConfigFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigFileError) return err;
    throw err;
  }
  throw new Error('expected a ConfigFileError');
}

describe('parseConfigText', () => {
  it('reads every resource of a multi-document file and skips empty documents', () => {
    const snap = parseConfigText(GOOD, 'mesh.yaml');
    expect(snap.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual([
      'ServiceEntry/reviews',
      'DestinationRule/reviews',
    ]);
  });

  it('names the file, the document, the resource and the field of a schema error', () => {
    const bad = `${GOOD}apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}], timeout: soon}]
`;
    const err = problemsOf(() => parseConfigText(bad, 'mesh.yaml'));
    expect(err.file).toBe('mesh.yaml');
    expect(err.problems).toEqual([
      expect.objectContaining({
        document: 3,
        resource: 'VirtualService/reviews-route',
        field: 'spec.http[0].timeout',
      }),
    ]);
    expect(err.message).toContain('mesh.yaml');
    expect(err.message).toContain('document 3 (VirtualService/reviews-route): spec.http[0].timeout');
  });

  it('reports references to unknown subsets and hosts', () => {
    const bad = `${GOOD}apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v9}}]}]
`;
    const err = problemsOf(() => parseConfigText(bad, 'mesh.yaml'));
    expect(err.problems[0]).toMatchObject({
      document: 3,
      resource: 'VirtualService/r',
      field: 'spec.http[0].route[0].destination.subset',
    });
  });

  it('reports YAML syntax errors with their document', () => {
    const err = problemsOf(() => parseConfigText(`${GOOD}kind: [unclosed\n`, 'mesh.yaml'));
    expect(err.problems[0]?.document).toBe(3);
  });
});

describe('loadConfigFile / staticFileSource', () => {
  it('reads a file into a source whose snapshot never changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-cfg-'));
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, GOOD);
    try {
      const source = staticFileSource(file);
      expect(source.current().resources).toHaveLength(2);
      expect(typeof source.subscribe(() => {})).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing file', () => {
    expect(() => loadConfigFile('/nonexistent/mesh.yaml')).toThrow(/\/nonexistent\/mesh.yaml/);
  });
});
