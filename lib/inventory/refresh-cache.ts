// The inventory's reads shared per refresh: every request in one refresh period (the lists, the
// Overview, each detail page and its polls) evaluates Prometheus at the same instant, so one answer —
// and one inventory built from it per config revision — serves them all. Requests that arrive while a
// read is in flight wait for it instead of starting their own. Pure (the clock and the loads come in).

/** The Prometheus evaluation time of the refresh period `nowMs` falls in (unix seconds). */
export function evaluationTime(nowMs: number, refreshSeconds: number): number {
  const s = Math.floor(nowMs / 1000);
  return s - (s % refreshSeconds);
}

/** A load's outcome: only `ok` ones are kept (a failed read is tried again by the next request). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; [k: string]: unknown };

/**
 * At most `maxEntries` answers by key, the oldest dropped first; an answer in flight counts as an entry
 * and is shared. A key is what makes answers differ (the duration, the evaluation time, the config
 * revision), so an entry never needs to expire: a new period is a new key.
 */
export class RefreshCache<T> {
  private readonly entries = new Map<string, Promise<Outcome<T>>>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, load: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    const held = this.entries.get(key);
    if (held) return held;
    const p = load().then(
      (outcome) => {
        if (!outcome.ok) this.drop(key, p);
        return outcome;
      },
      (err: unknown) => {
        this.drop(key, p);
        throw err;
      },
    );
    this.entries.set(key, p);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return p;
  }

  private drop(key: string, p: Promise<Outcome<T>>): void {
    if (this.entries.get(key) === p) this.entries.delete(key);
  }
}
