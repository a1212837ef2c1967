'use client';
// One resource's YAML editor with its actions: review the diff and save, delete with confirmation, and
// the conflict flow when the server's version moved on meanwhile.
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { toYaml } from '@/lib/istio-config/yaml-text';
import type { MeshResource } from '@/lib/mesh-config/schema';
import { deleteIstioResource, istioKeys } from '@/lib/queries/istio-config';
import { ConfirmDialog } from './confirm-dialog';
import { ConflictPanel } from './conflict-panel';
import { DiffView } from './diff-view';
import { useResourceEditor } from './use-resource-editor';
import { YamlEditor } from './yaml-editor';

export function ResourceEditor({
  loaded,
  others,
}: {
  loaded: MeshResource;
  others: readonly MeshResource[];
}) {
  const e = useResourceEditor(loaded);
  const router = useRouter();
  const queryClient = useQueryClient();
  const saveId = useId();
  const [deleting, setDeleting] = useState<'closed' | 'asking' | 'busy'>('closed');
  const [deleteError, setDeleteError] = useState<string>();
  const { kind, metadata } = e.base.resource;
  const namespace = metadata.namespace ?? 'default';

  const remove = async () => {
    setDeleting('busy');
    const outcome = await deleteIstioResource(kind, namespace, metadata.name);
    if (!outcome.ok) {
      setDeleting('closed');
      setDeleteError(outcome.message);
      return;
    }
    await queryClient.invalidateQueries({ queryKey: istioKeys.list() });
    router.push(`/istio?namespace=${encodeURIComponent(namespace)}`);
  };

  const { phase } = e;
  return (
    <div className="space-y-2">
      <YamlEditor
        value={e.text}
        onChange={e.setText}
        label={`${kind} ${metadata.name} (YAML)`}
        others={others}
        {...(e.serverCauses ? { serverCauses: e.serverCauses } : {})}
        onLeave={() => document.getElementById(saveId)?.focus()}
      />
      <div className="flex flex-wrap items-center gap-2">
        <Button id={saveId} onClick={e.review} disabled={!e.dirty || phase.name === 'saving'}>
          Review and save
        </Button>
        <Button onClick={() => e.setText(e.base.text)} disabled={!e.dirty}>
          Discard changes
        </Button>
        <Button
          className="ml-auto border-red-700 text-red-800 dark:border-red-400 dark:text-red-300"
          onClick={() => setDeleting('asking')}
        >
          Delete
        </Button>
      </div>
      <p role="status" className="text-sm">
        {phase.name === 'saving'
          ? 'Saving…'
          : phase.name === 'saved'
            ? `Saved at version ${metadata.resourceVersion}.`
            : ''}
      </p>
      {phase.name === 'failed' || deleteError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {phase.name === 'failed' ? phase.message : deleteError}
        </p>
      ) : null}
      {phase.name === 'conflict' ? (
        <ConflictPanel
          message={phase.message}
          mine={e.text}
          {...(phase.theirs ? { theirs: toYaml(phase.theirs) } : {})}
          onRebase={e.rebaseOnTheirs}
          onTakeTheirs={e.takeTheirs}
          onKeepMine={e.keepMine}
        />
      ) : null}
      <ConfirmDialog
        open={phase.name === 'reviewing' || phase.name === 'saving'}
        title={`Save ${kind} ${metadata.name}?`}
        confirmLabel="Save"
        busy={phase.name === 'saving'}
        onConfirm={() => void e.confirmSave()}
        onCancel={e.cancel}
      >
        <DiffView
          a={e.base.text}
          b={e.text}
          aLabel={`Loaded (version ${metadata.resourceVersion})`}
          bLabel="Your edit"
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== 'closed'}
        title={`Delete ${kind} ${namespace}/${metadata.name}?`}
        confirmLabel="Delete"
        tone="danger"
        busy={deleting === 'busy'}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting('closed')}
      >
        <p className="text-sm">The sidecars stop applying it at once. This cannot be undone here.</p>
      </ConfirmDialog>
    </div>
  );
}
