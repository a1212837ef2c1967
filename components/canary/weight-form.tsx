'use client';
// The weight form: a row per version, presets, the route the split applies to, and Apply. Moving a
// weight rebalances the unlocked others from where they were when the gesture began, so rounding
// never drifts while a slider is dragged or a number typed.
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { checkForm, parseWeightText } from '@/lib/canary/form';
import { type CanaryState, initialSplit } from '@/lib/canary/service-state';
import type { RouteScope } from '@/lib/canary/virtual-service';
import { isMovable, presetsFor, type Split, sameSplit, setWeight } from '@/lib/canary/weights';
import { RouteScopeSelect } from './route-scope';
import { SplitBar } from './split-bar';
import { WeightRow } from './weight-row';

export interface WeightFormProps {
  state: CanaryState;
  /** Errors the control plane gave for the last Apply, by version. */
  serverErrors: Record<string, string>;
  pending: boolean;
  canWrite: boolean;
  onApply(split: Split, scope: RouteScope | undefined): void;
}

/** The split a scope currently carries, over the form's versions (null when its routes differ). */
function currentFor(state: CanaryState, scope: RouteScope | undefined): Split | null {
  const routes = state.virtualService?.routes ?? [];
  if (scope === undefined) return null;
  const chosen = scope === 'all' ? routes : routes.filter((r) => r.index === scope);
  const splits = chosen.map((r) => initialSplit(state.versions, r));
  const first = splits[0];
  return first && splits.every((s) => sameSplit(s, first)) ? first : null;
}

export function WeightForm({ state, serverErrors, pending, canWrite, onApply }: WeightFormProps) {
  const routes = state.virtualService?.routes ?? [];
  const [scope, setScope] = useState<RouteScope | undefined>(state.defaultRouteIndex);
  const [split, setSplit] = useState<Split>(state.split);
  const [locked, setLocked] = useState<ReadonlySet<string>>(new Set());
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const gestureBase = useRef<Split | null>(null);

  const current = useMemo(() => currentFor(state, scope), [state, scope]);
  const check = checkForm(split, drafts, current);
  // Presets follow the loaded split (its stable version), not the one being edited.
  const presets = useMemo(() => presetsFor(state.split), [state.split]);
  const blocked = !canWrite ? 'Sign in to apply changes.' : check.blocked;

  const move = (version: string, value: number) => {
    const next = setWeight(gestureBase.current ?? split, locked, version, value);
    setSplit(next);
    return next.find((s) => s.version === version)?.weight ?? value;
  };
  const dropDraft = (version: string) => setDrafts(({ [version]: _dropped, ...rest }) => rest);

  function changeScope(next: RouteScope) {
    setScope(next);
    const route = routes.find((r) => r.index === (next === 'all' ? state.defaultRouteIndex : next));
    setSplit(initialSplit(state.versions, route));
    setDrafts({});
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (blocked || pending) return;
    onApply(split, scope);
  }

  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-4"
      aria-label={`Traffic weights of ${state.service.name}`}
    >
      {routes.length > 0 && scope !== undefined ? (
        <RouteScopeSelect routes={routes} value={scope} onChange={changeScope} />
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          No VirtualService routes {state.service.name} yet: Apply creates one
          {state.versions.some((v) => !v.inDestinationRule)
            ? ', with the DestinationRule subsets it needs'
            : ''}
          .
        </p>
      )}
      <SplitBar parts={split.map((s, index) => ({ version: s.version, percent: s.weight, index }))} />
      <div className="flex flex-col gap-3">
        {state.versions.map((info) => {
          const weight = split.find((s) => s.version === info.version)?.weight ?? 0;
          return (
            <WeightRow
              key={info.version}
              info={info}
              weight={weight}
              draft={drafts[info.version]}
              locked={locked.has(info.version)}
              movable={isMovable(split, locked, info.version)}
              error={check.fieldErrors[info.version] ?? serverErrors[info.version]}
              onGestureStart={() => {
                gestureBase.current ??= split;
              }}
              onGestureEnd={() => {
                gestureBase.current = null;
                if (parseWeightText(drafts[info.version] ?? '') !== undefined) dropDraft(info.version);
              }}
              onSlide={(value) => {
                move(info.version, value);
                dropDraft(info.version);
              }}
              onType={(text) => {
                const n = parseWeightText(text);
                const applied = n === undefined ? undefined : move(info.version, n);
                setDrafts((d) => ({ ...d, [info.version]: applied === undefined ? text : String(applied) }));
              }}
              onToggleLock={() =>
                setLocked((l) => {
                  const next = new Set(l);
                  if (!next.delete(info.version)) next.add(info.version);
                  return next;
                })
              }
            />
          );
        })}
      </div>
      <fieldset className="flex flex-wrap items-center gap-2">
        <legend className="mb-1 text-sm font-medium">Presets</legend>
        {presets.map((p) => (
          <button
            key={p.id}
            type="button"
            onClick={() => {
              setSplit(p.split);
              setLocked(new Set());
              setDrafts({});
            }}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            {p.label}
          </button>
        ))}
      </fieldset>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          disabled={blocked !== undefined || pending}
          aria-describedby="apply-hint"
          className="rounded-md bg-sky-700 px-4 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Apply
        </button>
        <button
          type="button"
          onClick={() => {
            setSplit(current ?? state.split);
            setLocked(new Set());
            setDrafts({});
          }}
          className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          Reset
        </button>
        <span id="apply-hint" className="text-sm text-slate-600 dark:text-slate-300">
          {pending ? 'Applying…' : (blocked ?? 'Ready to apply.')}
        </span>
      </div>
    </form>
  );
}
