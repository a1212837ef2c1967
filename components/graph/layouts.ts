// Layout options: layered (ELK, left to right, compound-aware) by default, force-directed (fCoSE).
import type { LayoutOptions } from 'cytoscape';

export type LayoutName = 'layered' | 'force';

export function layoutOptions(name: LayoutName, firstRun: boolean): LayoutOptions {
  if (name === 'force') {
    return {
      name: 'fcose',
      quality: 'default',
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
