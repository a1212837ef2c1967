'use client';
// The graph controls: namespaces, graph type, grouping, time window, refresh, edge labels, traffic and
// security (see `traffic-selector.tsx`), layout, find, hide, fit.
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { parseExpression } from '@/lib/graph/expression';
import type { GraphType } from '@/lib/graph/types';
import type { EdgeLabelMode } from './elements';
import { TrafficSelector } from './traffic-selector';
import { DURATIONS, type GraphViewState, LAYOUTS } from './use-graph-url-state';

const GRAPH_TYPE_OPTIONS: { value: GraphType; label: string }[] = [
  { value: 'versionedApp', label: 'Versioned app' },
  { value: 'app', label: 'App' },
  { value: 'workload', label: 'Workload' },
  { value: 'service', label: 'Service' },
];
const LABEL_OPTIONS: { value: EdgeLabelMode; label: string }[] = [
  { value: 'rps', label: 'Requests/s' },
  { value: 'percent', label: '% of requests' },
  { value: 'p95', label: 'p95 latency' },
  { value: 'none', label: 'None' },
];
const REFRESH_OPTIONS = [
  { value: '0', label: 'Off' },
  { value: '5', label: '5 s' },
  { value: '10', label: '10 s' },
  { value: '30', label: '30 s' },
] as const;

export function GraphToolbar({
  state,
  update,
  onFit,
  onRefresh,
  fetching,
}: {
  state: GraphViewState;
  update: (patch: Partial<GraphViewState>) => void;
  onFit: () => void;
  onRefresh: () => void;
  fetching: boolean;
}) {
  const findErr = parseExpression(state.find);
  const hideErr = parseExpression(state.hide);
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      <TextField
        label="Namespaces"
        value={state.namespaces.join(',')}
        placeholder="all"
        onCommit={(v) =>
          update({
            namespaces: v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          })
        }
      />
      <SelectField
        label="Graph"
        value={state.graphType}
        options={GRAPH_TYPE_OPTIONS}
        onChange={(graphType) => update({ graphType })}
      />
      <SelectField
        label="Window"
        value={state.duration}
        options={DURATIONS.map((d) => ({ value: d, label: `Last ${d}` }))}
        onChange={(duration) => update({ duration })}
      />
      <SelectField
        label="Refresh"
        value={String(state.refresh) as (typeof REFRESH_OPTIONS)[number]['value']}
        options={REFRESH_OPTIONS}
        onChange={(v) => update({ refresh: Number(v) as GraphViewState['refresh'] })}
      />
      <SelectField
        label="Group"
        value={state.group}
        options={[
          { value: 'auto', label: 'Auto (by namespace past 5,000 nodes)' },
          { value: 'none', label: 'None' },
          { value: 'app', label: 'By app' },
          { value: 'namespace', label: 'By namespace' },
        ]}
        onChange={(group) => update({ group, focus: undefined, selected: undefined })}
      />
      <SelectField
        label="Edge labels"
        value={state.labels}
        options={LABEL_OPTIONS}
        onChange={(labels) => update({ labels })}
      />
      <TrafficSelector state={state} update={update} />
      <SelectField
        label="Layout"
        value={state.layout}
        options={LAYOUTS.map((l) => ({ value: l, label: l === 'layered' ? 'Layered' : 'Force' }))}
        onChange={(layout) => update({ layout })}
      />
      <TextField
        label="Find"
        value={state.find}
        placeholder="rps > 5"
        error={findErr.ok ? undefined : findErr.message}
        onCommit={(find) => update({ find })}
      />
      <TextField
        label="Hide"
        value={state.hide}
        placeholder="app=details"
        error={hideErr.ok ? undefined : hideErr.message}
        onCommit={(hide) => update({ hide })}
      />
      <div className="ml-auto flex gap-2">
        <Button onClick={onRefresh} aria-label="Refresh the graph now" disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </Button>
        <Button onClick={onFit} aria-label="Zoom to fit the whole graph">
          Fit
        </Button>
      </div>
    </div>
  );
}
