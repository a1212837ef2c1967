// Live graphs shared per refresh period, as the inventory shares its reads (`lib/inventory/refresh-cache.ts`):
// a live graph (no `queryTime`) is evaluated at the start of its refresh period, so every request for the
// same view within one period — tabs, the page and its polls, a graph being built when another asks —
// gets one build, and that build is exactly what a new evaluation at that time would give (its
// `timestamp` says when). A graph pinned at a time is built for each request; a failed build is not kept.
import { evaluationTime } from '../inventory/refresh-cache';
import { buildGraph, type GraphDeps, type GraphResult } from './build-graph';
import type { GraphParams } from './params';
import { releaseOnce, WalkLease } from './walk-lease';

/**
 * Seconds of one graph refresh period (`MESHLENS_GRAPH_REFRESH_S`): the shortest refresh the page offers
 * (5 s; 10 s by default), so that every poll of a page gets a new evaluation.
 */
export const DEFAULT_GRAPH_REFRESH_S = 5;
/**
 * Live graphs kept (`MESHLENS_GRAPH_SHARED_BUILDS`): this period's and the one before, for one view or
 * two. A 5,000-workload graph is ~100 MB in memory: keep this small.
 */
export const DEFAULT_SHARED_GRAPHS = 2;

/**
 * Pinned views and times remembered as asked (a key of ~200 characters each): a pinned view polled asks the same
 * one every few seconds, and its builds reuse their walk objects from its second request on.
 */
export const PINNED_TIMES_KEPT = 16;

export interface SharedBuildOptions {
  refreshS: number;
  maxGraphs: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  nowMs?: () => number;
}

export type SharedGraphResult = GraphResult & {
  /** Whether this request joined a build another request started (the timings are that build's). */
  shared?: boolean;
  /**
   * Ends this request's hold on the build's walk objects (`walk-lease.ts`): call it once its answer is written,
   * cancelled or failed (more calls do nothing). Until every holder has, they are not reused.
   */
  release: () => void;
};

/** A live build kept for its view and period, and the cache's hold on its walk objects. */
interface Kept {
  built: Promise<GraphResult>;
  lease: WalkLease;
}

export class SharedBuilds {
  /** The oldest first (an entry still being built counts, and is shared). */
  private readonly kept = new Map<string, Kept>();
  /** Pinned views and times asked (`viewKey@queryTime`), the least recently asked first. */
  private readonly pinned = new Set<string>();

  constructor(private readonly options: SharedBuildOptions) {
    if (!Number.isInteger(options.refreshS) || options.refreshS < 1)
      throw new Error('refreshS must be a positive integer');
    if (!Number.isInteger(options.maxGraphs) || options.maxGraphs < 1)
      throw new Error('maxGraphs must be a positive integer');
  }

  /**
   * The graph for `params`: shared within the refresh period when live, built for this request when pinned. The
   * caller releases it (`release`) once its answer is done with it.
   */
  async build(params: GraphParams, deps: GraphDeps): Promise<SharedGraphResult> {
    if (params.queryTime !== undefined) {
      const at = `${viewKey(params)}@${params.queryTime}`;
      // Asked the first time (a cold request, most pinned ones): objects of its own, young and collected with its
      // answer, none kept for a view and time that may never come again (`WalkLease.at`).
      if (!this.pinnedAgain(at)) return { ...(await buildGraph(params, deps)), release: () => {} };
      // Asked again (a pinned view polled): this request's hold is the lease's first; its objects are filled again
      // only by a build of the same view and time.
      const lease = new WalkLease(at);
      const r = await buildGraph(params, { ...deps, lease });
      return { ...r, release: releaseOnce(lease) };
    }
    const time = evaluationTime(this.options.nowMs?.() ?? Date.now(), this.options.refreshS);
    const key = `${viewKey(params)}@${time}`;
    let kept = this.kept.get(key);
    const shared = kept !== undefined;
    if (kept === undefined) {
      // The oldest let go first: its objects free (once its answers are done) for this build's walk to fill.
      while (this.kept.size >= this.options.maxGraphs) {
        const [oldest, old] = this.kept.entries().next().value as [string, Kept];
        this.drop(oldest, old);
      }
      // The cache's hold is the lease's first.
      const lease = new WalkLease();
      const k: Kept = { built: buildGraph(params, { ...deps, now: () => time, lease }), lease };
      kept = k;
      this.kept.set(key, k);
      // A failed build is not kept: the next request builds again.
      k.built.then(
        (r) => {
          if (!r.ok) this.drop(key, k);
        },
        () => this.drop(key, k),
      );
    }
    // Taken as the request joins (the cache's hold is out while the build is kept): released by its answer.
    kept.lease.hold();
    const release = releaseOnce(kept.lease);
    const r = await kept.built;
    return shared ? { ...r, shared: true, release } : { ...r, release };
  }

  /** Whether a pinned view and time was asked before, among the last `PINNED_TIMES_KEPT`; notes it as asked. */
  private pinnedAgain(at: string): boolean {
    const again = this.pinned.delete(at);
    this.pinned.add(at);
    if (this.pinned.size > PINNED_TIMES_KEPT) this.pinned.delete(this.pinned.values().next().value as string);
    return again;
  }

  /** Forgets a kept build; the cache's hold is released once the build is over (it may still be walking). */
  private drop(key: string, k: Kept): void {
    if (this.kept.get(key) !== k) return;
    this.kept.delete(key);
    // A build that threw keeps its hold: its objects are never reused (it may have stopped anywhere).
    k.built.then(releaseOnce(k.lease), () => undefined);
  }
}

/** What makes two live graphs differ besides their time: every parameter (in `parseGraphParams`' order). */
export function viewKey(params: GraphParams): string {
  return JSON.stringify({ ...params, queryTime: undefined });
}
