'use client';
// The traffic-shifting panel for one service: weights form, configured vs observed split, conflict
// and validation messages, and the change history with rollback. Mountable anywhere under the app's
// QueryClientProvider (the service page, the graph's side panel).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApplyOutcome, ApplyRequest } from '@/lib/canary/apply-plan';
import type { HistoryItem } from '@/lib/canary/history';
import type { RouteScope } from '@/lib/canary/virtual-service';
import type { Split } from '@/lib/canary/weights';
import { canaryHistoryOptions, canaryKeys, serviceStateOptions } from '@/lib/queries/canary';
import { ChangeHistory } from './change-history';
import { type Conflict, ConflictNotice } from './conflict-notice';
import { ObservedSplitView } from './observed-split';
import { useApplySplit, useRollback } from './use-canary-writes';
import { WeightForm } from './weight-form';

export interface TrafficShiftPanelProps {
  service: string;
  namespace: string;
  /** False when sign-in is required and nobody is signed in: the controls explain why they are off. */
  canWrite?: boolean;
}

type Notice = { tone: 'ok' | 'error'; text: string };

export function TrafficShiftPanel({ service, namespace, canWrite = true }: TrafficShiftPanelProps) {
  const queryClient = useQueryClient();
  const state = useQuery(serviceStateOptions(namespace, service));
  const history = useQuery(canaryHistoryOptions(namespace, service));
  const apply = useApplySplit(namespace, service);
  const rollback = useRollback(namespace, service);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [conflict, setConflict] = useState<
    (Conflict & { retry?: Omit<ApplyRequest, 'resourceVersion'> }) | null
  >(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});

  if (state.isError)
    return (
      <div
        role="alert"
        className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
      >
        <strong>Cannot load {service}:</strong> {state.error.message}{' '}
        <button type="button" className="underline" onClick={() => state.refetch()}>
          Try again
        </button>
      </div>
    );
  if (!state.data) return <p className="text-sm">Loading {service}…</p>;

  const { state: s, warnings } = state.data;
  const readAt = s.virtualService?.resourceVersion ?? null;
  const newest = history.data?.[0];
  const staleBy =
    readAt !== null && newest && newest.resourceVersion !== readAt && !apply.isPending ? newest : undefined;

  const reload = async () => {
    setConflict(null);
    setServerErrors({});
    await queryClient.invalidateQueries({ queryKey: canaryKeys.service(namespace, service) });
  };

  const handle = (outcome: ApplyOutcome, retry?: Omit<ApplyRequest, 'resourceVersion'>) => {
    setServerErrors({});
    setConflict(null);
    if (outcome.ok) return setNotice({ tone: 'ok', text: outcome.message });
    setNotice(null);
    if (outcome.kind === 'conflict') return setConflict({ ...outcome, ...(retry ? { retry } : {}) });
    if (outcome.kind === 'invalid') setServerErrors(outcome.fieldErrors);
    setNotice({ tone: 'error', text: outcome.message });
  };

  const onApply = async (split: Split, scope: RouteScope | undefined, resourceVersion = readAt) => {
    const retry = { split: [...split], ...(scope !== undefined ? { scope } : {}) };
    handle(await apply.mutateAsync({ ...retry, resourceVersion }), retry);
  };
  const onRollback = async (item: HistoryItem) =>
    handle(await rollback.mutateAsync({ to: item.resourceVersion, resourceVersion: readAt }));
  const pending = apply.isPending || rollback.isPending;

  return (
    <div className="flex flex-col gap-6">
      {warnings.map((w) => (
        <p key={w} role="status" className="text-sm text-amber-800 dark:text-amber-200">
          {w}
        </p>
      ))}
      <div className="grid gap-8 lg:grid-cols-2">
        <section aria-labelledby="weights-heading" className="flex flex-col gap-4">
          <h2 id="weights-heading" className="text-base font-semibold">
            Traffic weights
          </h2>
          {s.versions.length < 2 ? (
            <p className="text-sm">
              {service} has{' '}
              {s.versions.length === 1 ? `one version (${s.versions[0]?.version})` : 'no known version'}:
              there is nothing to shift between.
            </p>
          ) : (
            <WeightForm
              key={`${readAt}`}
              state={s}
              serverErrors={serverErrors}
              pending={pending}
              canWrite={canWrite}
              onApply={onApply}
            />
          )}
          {conflict ? (
            <ConflictNotice
              conflict={conflict}
              onReload={reload}
              {...(conflict.retry && conflict.currentResourceVersion !== null
                ? {
                    onApplyMine: () => {
                      const r = conflict.retry;
                      if (r) void onApply(r.split, r.scope, conflict.currentResourceVersion);
                    },
                  }
                : {})}
            />
          ) : null}
          {!conflict && staleBy ? (
            <p role="status" className="text-sm text-amber-800 dark:text-amber-200">
              {staleBy.who} changed the routing at {new Date(staleBy.time).toLocaleString()}, after you loaded
              this page.{' '}
              <button type="button" className="underline" onClick={reload}>
                Reload
              </button>
            </p>
          ) : null}
          {notice ? (
            <p
              role={notice.tone === 'ok' ? 'status' : 'alert'}
              className={`text-sm ${notice.tone === 'ok' ? 'text-emerald-800 dark:text-emerald-200' : 'text-red-700 dark:text-red-300'}`}
            >
              {notice.text}
            </p>
          ) : null}
        </section>
        <ObservedSplitView state={s} />
      </div>
      <ChangeHistory
        items={history.data}
        error={history.isError ? history.error.message : undefined}
        pending={pending}
        canWrite={canWrite}
        onRollback={onRollback}
      />
    </div>
  );
}
