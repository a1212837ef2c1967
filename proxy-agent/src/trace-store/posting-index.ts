// Inverted index from a term (service, operation, tag, duration bucket) to the ids of the traces having it.
// Most terms of a high-cardinality tag belong to a single trace, so a posting holds a bare id until a
// second trace shares it, and only then becomes a Set: memory stays near one entry per (term, trace).

export class PostingIndex {
  private readonly postings = new Map<string, string | Set<string>>();

  add(term: string, id: string): void {
    const current = this.postings.get(term);
    if (current === undefined) this.postings.set(term, id);
    else if (typeof current === 'string') {
      if (current !== id) this.postings.set(term, new Set([current, id]));
    } else current.add(id);
  }

  remove(term: string, id: string): void {
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

  size(term: string): number {
    const current = this.postings.get(term);
    if (current === undefined) return 0;
    return typeof current === 'string' ? 1 : current.size;
  }

  has(term: string, id: string): boolean {
    const current = this.postings.get(term);
    if (current === undefined) return false;
    return typeof current === 'string' ? current === id : current.has(id);
  }

  ids(term: string): Iterable<string> {
    const current = this.postings.get(term);
    if (current === undefined) return [];
    return typeof current === 'string' ? [current] : current;
  }

  /** Number of distinct terms (for tests and stats). */
  get termCount(): number {
    return this.postings.size;
  }
}
