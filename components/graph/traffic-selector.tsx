'use client';
// Kiali's traffic selector and Security display option: which protocols are drawn (HTTP, gRPC, TCP),
// what a gRPC edge's rate counts (requests or messages), and principals on the edges.
import { SelectField } from '@/components/ui/select-field';
import { GRPC_RATES, type GraphViewState, TRAFFIC_PROTOCOLS, type TrafficProtocol } from './graph-view-state';

const PROTOCOL_LABELS: Record<TrafficProtocol, string> = { http: 'HTTP', grpc: 'gRPC', tcp: 'TCP' };
const GRPC_RATE_LABELS: Record<(typeof GRPC_RATES)[number], string> = {
  requests: 'gRPC requests',
  sent: 'gRPC messages sent',
  received: 'gRPC messages received',
  total: 'gRPC messages (sent + received)',
};

function Check({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

export function TrafficSelector({
  state,
  update,
}: {
  state: GraphViewState;
  update: (patch: Partial<GraphViewState>) => void;
}) {
  const toggle = (p: TrafficProtocol, on: boolean) => {
    const next = TRAFFIC_PROTOCOLS.filter((x) => (x === p ? on : state.traffic.includes(x)));
    // Never nothing: unchecking the last protocol leaves it checked.
    if (next.length > 0) update({ traffic: next });
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would restyle the toolbar row; the group role names it.
    <span role="group" aria-label="Traffic" className="flex items-center gap-2">
      <span className="text-xs text-slate-600 dark:text-slate-300">Traffic</span>
      {TRAFFIC_PROTOCOLS.map((p) => (
        <Check
          key={p}
          label={PROTOCOL_LABELS[p]}
          checked={state.traffic.includes(p)}
          onChange={(on) => toggle(p, on)}
        />
      ))}
      {state.traffic.includes('grpc') ? (
        <SelectField
          label="gRPC rate"
          value={state.grpcRate}
          options={GRPC_RATES.map((r) => ({ value: r, label: GRPC_RATE_LABELS[r] }))}
          onChange={(grpcRate) => update({ grpcRate })}
        />
      ) : null}
      <Check label="Security" checked={state.security} onChange={(security) => update({ security })} />
    </span>
  );
}
