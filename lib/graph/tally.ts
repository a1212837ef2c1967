// A few values by key, in insertion order, for what each of the graph's elements keeps per key (its
// protocols, response codes, flags, hosts): almost always one key. The first is held in the object itself;
// a Map only from the second on. At 5,000 workloads the traffic map had ~175,000 Maps per build.

export class Tally<V> {
  private k0: string | undefined = undefined;
  private v0: V | undefined = undefined;
  private rest: Map<string, V> | undefined = undefined;

  static of<V>(entries: Iterable<readonly [string, V]>): Tally<V> {
    const t = new Tally<V>();
    for (const [k, v] of entries) t.set(k, v);
    return t;
  }

  get size(): number {
    return this.k0 === undefined ? 0 : 1 + (this.rest === undefined ? 0 : this.rest.size);
  }

  get(key: string): V | undefined {
    if (key === this.k0) return this.v0;
    return this.rest === undefined ? undefined : this.rest.get(key);
  }

  set(key: string, value: V): this {
    if (this.k0 === undefined || key === this.k0) {
      this.k0 = key;
      this.v0 = value;
    } else {
      if (this.rest === undefined) this.rest = new Map();
      this.rest.set(key, value);
    }
    return this;
  }

  /** The first key set; undefined when empty. */
  firstKey(): string | undefined {
    return this.k0;
  }

  /** The first key's value; undefined when empty. */
  firstValue(): V | undefined {
    return this.v0;
  }

  forEach(fn: (value: V, key: string) => void): void {
    if (this.k0 === undefined) return;
    fn(this.v0 as V, this.k0);
    if (this.rest !== undefined) this.rest.forEach(fn);
  }

  keys(): string[] {
    const out: string[] = [];
    this.forEach((_, k) => {
      out.push(k);
    });
    return out;
  }

  values(): V[] {
    const out: V[] = [];
    this.forEach((v) => {
      out.push(v);
    });
    return out;
  }

  entries(): [string, V][] {
    const out: [string, V][] = [];
    this.forEach((v, k) => {
      out.push([k, v]);
    });
    return out;
  }

  [Symbol.iterator](): Iterator<[string, V]> {
    return this.entries()[Symbol.iterator]();
  }
}

/** Adds `by` to the number kept for `key`. */
export function addTo(t: Tally<number>, key: string, by: number): void {
  t.set(key, (t.get(key) ?? 0) + by);
}

/** What the readers of a tally of numbers use: a `Tally<number>` or a `RateTally` (the walk's). */
export interface NumberTally {
  readonly size: number;
  get(key: string): number | undefined;
  firstKey(): string | undefined;
  firstValue(): number | undefined;
  forEach(fn: (value: number, key: string) => void): void;
  keys(): string[];
}

/**
 * A `Tally` of numbers that are added to (the walk's rates by protocol, flag and host). Its first value is a
 * number field of a class of its own, which V8 keeps as a double updated in place; a `Tally` also holds objects
 * (the response codes'), so its value field is any value, and each add stored a new heap number: ~5 a hop of the
 * walk, ~300,000 a polled build at 5,000 workloads.
 */
export class RateTally implements NumberTally {
  private k0: string | undefined = undefined;
  private v0 = 0;
  private rest: Map<string, number> | undefined = undefined;

  get size(): number {
    return this.k0 === undefined ? 0 : 1 + (this.rest === undefined ? 0 : this.rest.size);
  }

  get(key: string): number | undefined {
    if (key === this.k0) return this.v0;
    return this.rest === undefined ? undefined : this.rest.get(key);
  }

  /** Adds `by` to the number kept for `key` (0 before the first add), as `addTo` does. */
  add(key: string, by: number): void {
    if (key === this.k0) this.v0 += by;
    else if (this.k0 === undefined) {
      this.k0 = key;
      this.v0 = 0 + by;
    } else {
      if (this.rest === undefined) this.rest = new Map();
      this.rest.set(key, (this.rest.get(key) ?? 0) + by);
    }
  }

  /** Sets the number kept for `key`, a key added before (a replayed walk's sum, `traffic-map.ts`). */
  set(key: string, value: number): void {
    if (key === this.k0) this.v0 = value;
    else this.rest?.set(key, value);
  }

  firstKey(): string | undefined {
    return this.k0;
  }

  firstValue(): number | undefined {
    return this.k0 === undefined ? undefined : this.v0;
  }

  forEach(fn: (value: number, key: string) => void): void {
    if (this.k0 === undefined) return;
    fn(this.v0, this.k0);
    if (this.rest !== undefined) this.rest.forEach(fn);
  }

  keys(): string[] {
    const out: string[] = [];
    this.forEach((_, k) => {
      out.push(k);
    });
    return out;
  }
}
