// Inverted index from a term (service, operation, tag, duration bucket) to the ids of the traces having it.
// Terms are 30-bit hashes (small integers: cheap Map keys, no term text kept); a collision only adds
// candidates, which the search verifies span by span anyway. Most terms of a high-cardinality tag belong
// to a single trace, so a posting holds a bare id until a second trace shares it, and only then becomes a
// Set: memory stays near one entry per (term, trace).

export type Term = number;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over `text`, continuing from `hash`; chain calls to hash a term made of several parts. */
export function termHash(text: string, hash: number = FNV_OFFSET): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  // A separator between chained parts, so ("ab","c") and ("a","bc") differ.
  return Math.imul(h ^ 0xff, FNV_PRIME);
}

/** The term of a hash: 30 bits, a V8 small integer. */
export function toTerm(hash: number): Term {
  return hash & 0x3fffffff;
}

export class PostingIndex {
  private readonly postings = new Map<Term, string | Set<string>>();

  add(term: Term, id: string): void {
    const current = this.postings.get(term);
    if (current === undefined) this.postings.set(term, id);
    else if (typeof current === 'string') {
      if (current !== id) this.postings.set(term, new Set([current, id]));
    } else current.add(id);
  }

  remove(term: Term, id: string): void {
    const current = this.postings.get(term);
    if (current === undefined) return;
    if (typeof current === 'string') {
      if (current === id) this.postings.delete(term);
      return;
    }
    current.delete(id);
    if (current.size === 1) this.postings.set(term, current.values().next().value as string);
    else if (current.size === 0) this.postings.delete(term);
  }

  size(term: Term): number {
    const current = this.postings.get(term);
    if (current === undefined) return 0;
    return typeof current === 'string' ? 1 : current.size;
  }

  has(term: Term, id: string): boolean {
    const current = this.postings.get(term);
    if (current === undefined) return false;
    return typeof current === 'string' ? current === id : current.has(id);
  }

  ids(term: Term): Iterable<string> {
    const current = this.postings.get(term);
    if (current === undefined) return [];
    return typeof current === 'string' ? [current] : current;
  }

  /** Number of distinct terms (for tests and stats). */
  get termCount(): number {
    return this.postings.size;
  }
}
