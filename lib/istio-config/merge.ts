// Re-basing an edit on the server's newer version: a line-wise 3-way merge of the YAML the edit started
// from (base), the edit (mine) and the server's (theirs). Clashing lines come back between git's conflict
// markers, which the editor flags as YAML errors until they are resolved by hand.
import { mergeDiff3 } from 'node-diff3';

export interface Rebased {
  text: string;
  /** Lines both sides changed differently; 0 when the merge is clean. */
  conflicts: number;
}

export function rebase(base: string, mine: string, theirs: string): Rebased {
  const r = mergeDiff3(mine.split('\n'), base.split('\n'), theirs.split('\n'), {
    label: { a: 'mine', o: 'loaded', b: 'server' },
  });
  const conflicts = r.result.filter((l) => l.startsWith('<<<<<<<')).length;
  return { text: r.result.join('\n'), conflicts };
}
