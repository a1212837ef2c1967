// Live graphs shared per refresh period, as the inventory shares its reads (`lib/inventory/refresh-cache.ts`):
// a live graph (no `queryTime`) is evaluated at the start of its refresh period, so every request for the
// same view within one period — tabs, the page and its polls, a graph being built when another asks —
// gets one build, and that build is exactly what a new evaluation at that time would give (its
// `timestamp` says when). A graph pinned at a time is built for each request; a failed build is not kept.
import { evaluationTime, type Outcome, RefreshCache } from '../inventory/refresh-cache';
import { buildGraph, type GraphDeps, type GraphResult } from './build-graph';
import type { GraphParams } from './params';

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

export interface SharedBuildOptions {
  refreshS: number;
  maxGraphs: number;
  /** Milliseconds since the epoch; default `Date.now`. */
  nowMs?: () => number;
}

export type SharedGraphResult = GraphResult & {
  /** Whether this request joined a build another request started (the timings are that build's). */
  shared?: boolean;
};

export class SharedBuilds {
  private readonly cache: RefreshCache<GraphResult & { ok: true }>;

  constructor(private readonly options: SharedBuildOptions) {
    if (!Number.isInteger(options.refreshS) || options.refreshS < 1)
      throw new Error('refreshS must be a positive integer');
    this.cache = new RefreshCache(options.maxGraphs);
  }

  /** The graph for `params`: shared within the refresh period when live, built for this request when pinned. */
  async build(params: GraphParams, deps: GraphDeps): Promise<SharedGraphResult> {
    if (params.queryTime !== undefined) return buildGraph(params, deps);
    const time = evaluationTime(this.options.nowMs?.() ?? Date.now(), this.options.refreshS);
    let built = false;
    const outcome: Outcome<GraphResult & { ok: true }> = await this.cache.get(
      `${viewKey(params)}@${time}`,
      async () => {
        built = true;
        const r = await buildGraph(params, { ...deps, now: () => time });
        return r.ok ? { ok: true, value: r } : r;
      },
    );
    if (outcome.ok) return built ? outcome.value : { ...outcome.value, shared: true };
    // Failed (not kept): the failure of the build this request started or joined.
    return outcome as unknown as GraphResult;
  }
}

/** What makes two live graphs differ besides their time: every parameter (in `parseGraphParams`' order). */
export function viewKey(params: GraphParams): string {
  return JSON.stringify({ ...params, queryTime: undefined });
}
