'use client';
// The list's filters: namespace, name, label and health, each committed to the URL.
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { HEALTH_ORDER, HEALTH_WORDS } from '@/lib/inventory/health';
import type { ListState } from '@/lib/inventory/list-state';
import type { Health } from '@/lib/inventory/types';

export function ListFilters({
  state,
  namespaces,
  onChange,
}: {
  state: ListState;
  namespaces: readonly string[];
  onChange: (next: ListState) => void;
}) {
  const ns = state.namespaces.length === 1 ? (state.namespaces[0] as string) : '';
  const health = state.health.length === 1 ? (state.health[0] as Health) : '';
  return (
    <search aria-label="Filters" className="flex flex-wrap items-center gap-3">
      <SelectField
        label="Namespace"
        value={ns}
        options={[{ value: '', label: 'All namespaces' }, ...namespaces.map((n) => ({ value: n, label: n }))]}
        onChange={(v) => onChange({ ...state, namespaces: v ? [v] : [] })}
      />
      <TextField
        label="Name"
        value={state.name}
        placeholder="part of a name"
        onCommit={(v) => onChange({ ...state, name: v })}
      />
      <TextField
        label="Label"
        value={state.label}
        placeholder="version=v2"
        onCommit={(v) => onChange({ ...state, label: v })}
      />
      <SelectField<Health | ''>
        label="Health"
        value={health}
        options={[
          { value: '', label: 'Any health' },
          ...HEALTH_ORDER.map((h) => ({ value: h, label: HEALTH_WORDS[h] })),
        ]}
        onChange={(v) => onChange({ ...state, health: v ? [v] : [] })}
      />
    </search>
  );
}
