// Inverted index from a term (service, operation, tag, duration bucket) to the traces having it.
// Terms are 30-bit hashes (small integers: cheap Map keys, no term text kept); a collision only adds
// candidates, which the search verifies span by span anyway. Most terms of a high-cardinality tag belong
// to a single trace, so a posting holds a bare trace until a second one shares it, and then becomes an
// append-only array: removal only counts the dead (items say whether they are live) and the array is
// compacted once half of it is dead, so updates stay O(1) amortized and an entry costs one pointer.

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

/** Two hashes combined (murmur3's finalizer over their mix), e.g. a service's seed and a tag's hash. */
export function mixHash(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The term of a hash: 30 bits, a V8 small integer. */
export function toTerm(hash: number): Term {
  return hash & 0x3fffffff;
}

/** What a posting holds: removed items are marked not live before they are removed. */
export interface Posted {
  live: boolean;
}

class Posting<T> {
  dead = 0;
  constructor(public items: T[]) {}
}

/**
 * Term → value, open addressing with linear probing over a typed array of terms (a term is already a hash):
 * a lookup reads one slot or a few neighbours, where a Map of hundreds of thousands of terms walks a bucket
 * and then its chain (two or more cache misses a lookup, and ingest files several terms a span).
 */
const INITIAL_SLOTS = 1024;
export class TermTable<V> {
  private terms = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  private values: (V | undefined)[] = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  size = 0;

  /** The slot of `term`, or of the empty slot where it would go. */
  private slot(term: Term): number {
    const terms = this.terms;
    const mask = this.mask;
    let i = term & mask;
    for (;;) {
      const t = terms[i] as number;
      if (t === term || t === EMPTY) return i;
      i = (i + 1) & mask;
    }
  }

  get(term: Term): V | undefined {
    return this.values[this.slot(term)];
  }

  set(term: Term, value: V): void {
    const i = this.slot(term);
    if (this.terms[i] === EMPTY) {
      this.terms[i] = term;
      this.size++;
      this.values[i] = value;
      // At most half full, so that probes stay short.
      if (this.size * 2 > this.terms.length) this.grow();
    } else this.values[i] = value;
  }

  delete(term: Term): void {
    let i = this.slot(term);
    if (this.terms[i] === EMPTY) return;
    this.size--;
    // Backward shift: an entry further along the run moves into the hole unless its home lies in between,
    // so that no lookup stops early at a hole (no tombstones).
    const terms = this.terms;
    const values = this.values;
    const mask = this.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const t = terms[j] as number;
      if (t === EMPTY) break;
      const home = t & mask;
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      terms[i] = t;
      values[i] = values[j];
      i = j;
    }
    terms[i] = EMPTY;
    values[i] = undefined;
  }

  private grow(): void {
    const oldTerms = this.terms;
    const oldValues = this.values;
    const capacity = oldTerms.length * 2;
    this.terms = new Int32Array(capacity).fill(EMPTY);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    for (let i = 0; i < oldTerms.length; i++) {
      const t = oldTerms[i] as number;
      if (t === EMPTY) continue;
      const at = this.slot(t);
      this.terms[at] = t;
      this.values[at] = oldValues[i];
    }
  }
}
const EMPTY = -1;

export class PostingIndex<T extends Posted> {
  private readonly postings = new TermTable<T | Posting<T>>();

  /** Files `item` under `term`; the caller adds an item to a term at most once. */
  add(term: Term, item: T): void {
    const current = this.postings.get(term);
    if (current === undefined) this.postings.set(term, item);
    else if (current instanceof Posting) current.items.push(item);
    else this.postings.set(term, new Posting([current, item]));
  }

  /** Removes `item` (already marked not live) from `term`. */
  remove(term: Term, item: T): void {
    const current = this.postings.get(term);
    if (current === undefined) return;
    if (!(current instanceof Posting)) {
      if (current === item) this.postings.delete(term);
      return;
    }
    current.dead++;
    if (current.dead * 2 <= current.items.length) return;
    const items = current.items.filter((i) => i.live);
    if (items.length === 0) this.postings.delete(term);
    else if (items.length === 1) this.postings.set(term, items[0] as T);
    else {
      current.items = items;
      current.dead = 0;
    }
  }

  /** Live items under `term`. */
  size(term: Term): number {
    const current = this.postings.get(term);
    if (current === undefined) return 0;
    return current instanceof Posting ? current.items.length - current.dead : 1;
  }

  /** Items under `term`, some possibly no longer live (the caller skips those). */
  items(term: Term): readonly T[] {
    const current = this.postings.get(term);
    if (current === undefined) return [];
    return current instanceof Posting ? current.items : [current];
  }

  /** Number of distinct terms (for tests and stats). */
  get termCount(): number {
    return this.postings.size;
  }
}
