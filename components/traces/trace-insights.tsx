'use client';
// What the graph's side panel shows of traces for a node or an edge: its recent failing requests and its
// latency with exemplar points, each opening the trace. Mount: `<TraceInsights node={id} />` or
// `<TraceInsights source={edge.source} target={edge.target} latency={drilldown?.latency} … />`.
import { ExemplarLatencyChart, type ExemplarLatencyChartProps } from './exemplar-latency-chart';
import { FailingRequests } from './failing-requests';

export type TraceInsightsProps = ExemplarLatencyChartProps;

export function TraceInsights(props: TraceInsightsProps) {
  const element = 'node' in props ? { node: props.node } : { source: props.source, target: props.target };
  return (
    <div className="space-y-4">
      <FailingRequests {...element} />
      <ExemplarLatencyChart {...props} />
    </div>
  );
}
