// Re-basing an edit on a concurrent change: separate changes merge cleanly, clashing ones are marked.
import { describe, expect, it } from 'vitest';
import { rebase } from './merge';

const base = [
  'metadata:',
  '  name: reviews',
  '  resourceVersion: "7"',
  'spec:',
  '  timeout: 10s',
  '  hosts:',
  '  - reviews',
  '  retries: 3',
  '',
].join('\n');

describe('rebase', () => {
  it('keeps my change and takes theirs (including the new resourceVersion) when they touch other lines', () => {
    const mine = base.replace('timeout: 10s', 'timeout: 5s');
    const theirs = base.replace('retries: 3', 'retries: 5').replace('"7"', '"8"');
    const r = rebase(base, mine, theirs);
    expect(r.conflicts).toBe(0);
    expect(r.text).toContain('timeout: 5s');
    expect(r.text).toContain('retries: 5');
    expect(r.text).toContain('resourceVersion: "8"');
  });
  it('marks a line both changed, with both versions between conflict markers', () => {
    const mine = base.replace('timeout: 10s', 'timeout: 5s');
    const theirs = base.replace('timeout: 10s', 'timeout: 20s').replace('"7"', '"8"');
    const r = rebase(base, mine, theirs);
    expect(r.conflicts).toBe(1);
    expect(r.text).toMatch(/<<<<<<< mine\n {2}timeout: 5s\n[\s\S]*=======\n {2}timeout: 20s\n>>>>>>> server/);
  });
});
