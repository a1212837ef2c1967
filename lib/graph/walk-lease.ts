// Who may still read a build's walk objects (its traffic map's nodes and edges): a count of holds. Whoever starts
// a build makes its lease (one hold, theirs) and passes it to the walk (`TrafficInput.lease`); each request that
// writes an answer from the build takes a hold of its own and releases it when the answer ends, is cancelled or
// fails; the shared cache holds a live build while it keeps it (`shared-builds.ts`). Once every hold is released the
// walk's objects go back to their walk plan, for the next build of the view to fill again instead of making new
// ones (`traffic-map.ts`). A lease never released (a build whose owner does not release, or that threw) only keeps
// its objects from being reused: they are collected with the graph, as without a lease.

export class WalkLease {
  private holds = 1;
  private free: (() => void) | undefined = undefined;

  /**
   * `at`: a pinned build's view and time (`shared-builds.ts`: a pinned time asked again; asked once, the build has
   * no lease); its objects, once released, are filled again only by a walk whose lease has the same. A pinned view
   * at another time merges a new latency reading: every element's buckets and latency are new objects, and written
   * into a released set (old by then) they are kept alive by it through the young collections and promoted, which
   * costs more than a set made afresh, young and collected with its answer (round 19: 80-250 ms more of Next's CPU
   * a cold 2 m request at 1,000 workloads, most of it the collector's helper threads). Undefined: a live build,
   * whose released objects any live walk of the same program fills.
   */
  constructor(readonly at?: string) {}

  /** Whether a hold is still out (a walk takes objects to reuse only for a held lease). */
  get held(): boolean {
    return this.holds > 0;
  }

  /** One more reader. Only while held: once released to none, the objects may already be another build's. */
  hold(): void {
    if (this.holds === 0) throw new Error('walk lease taken after its release');
    this.holds++;
  }

  release(): void {
    if (this.holds === 0) throw new Error('walk lease released more times than held');
    if (--this.holds > 0) return;
    const free = this.free;
    this.free = undefined;
    free?.();
  }

  /** For the walk: `free` runs once, when the last hold is released (the lease must still be held). */
  onFree(free: () => void): void {
    if (this.holds === 0) throw new Error('walk lease already released');
    this.free = free;
  }
}

/** `lease.release` for one caller, however many of its paths call it (an answer ended, then cancelled). */
export function releaseOnce(lease: WalkLease | undefined): () => void {
  let done = lease === undefined;
  return () => {
    if (done) return;
    done = true;
    (lease as WalkLease).release();
  };
}
