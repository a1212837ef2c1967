// Layout options: layered (ELK, left to right, compound-aware) by default, force-directed (fCoSE).
import type { LayoutOptions } from 'cytoscape';
import { layeredPositions } from './layered-positions';

export type LayoutName = 'layered' | 'force';

/**
 * Past this many nodes the graph is drawn without app boxes and laid out by our own linear-time layered
 * layout (`layered-positions.ts`, placed as a preset) or a draft-quality force layout: ELK and full fCoSE
 * take tens of seconds on the main thread there, cytoscape's breadth-first half a second (Grafana's node
 * graph likewise drops its layered layout past 500 nodes).
 */
export const LARGE_GRAPH_NODES = 500;

export function layoutOptions(name: LayoutName, firstRun: boolean, nodeCount = 0): LayoutOptions {
  const large = nodeCount > LARGE_GRAPH_NODES;
  if (name === 'force') {
    return {
      name: 'fcose',
      quality: large ? 'draft' : 'default',
      // After the first run, start from the current positions so nodes stay where they were.
      randomize: firstRun,
      animate: false,
      fit: firstRun,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: 110,
      nodeSeparation: 90,
    } as LayoutOptions;
  }
  return {
    name: 'elk',
    fit: firstRun,
    padding: 30,
    animate: false,
    nodeDimensionsIncludeLabels: true,
    elk: {
      algorithm: 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': 90,
      'elk.spacing.nodeNode': 45,
    },
  } as LayoutOptions;
}

/** The large-graph layered layout: positions computed at once, placed as a preset. */
export function largeLayeredLayout(
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
  firstRun: boolean,
): LayoutOptions {
  return {
    name: 'preset',
    positions: Object.fromEntries(layeredPositions(nodeIds, edges)),
    fit: firstRun,
    padding: 30,
    animate: false,
  };
}
