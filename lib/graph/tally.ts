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
