// Layout options: layered (ELK, left to right, compound-aware) by default, force-directed (fCoSE).
import type { LayoutOptions } from 'cytoscape';

export type LayoutName = 'layered' | 'force';

/**
 * Past this many nodes the graph is drawn without app boxes and laid out by the fast built-in layered
 * layout (breadth-first) or a draft-quality force layout: ELK and full fCoSE take tens of seconds on the
 * main thread there (Grafana's node graph likewise drops its layered layout past 500 nodes).
 */
export const LARGE_GRAPH_NODES = 500;

export function layoutOptions(name: LayoutName, firstRun: boolean, nodeCount = 0): LayoutOptions {
  const large = nodeCount > LARGE_GRAPH_NODES;
  if (large && name === 'layered') {
    return {
      name: 'breadthfirst',
      directed: true,
      fit: firstRun,
      padding: 30,
      animate: false,
      spacingFactor: 1.1,
    };
  }
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
