'use client';
// The editing session of one resource: the version it was loaded at (base), the text being edited,
// the save (reviewed as a diff first), and what a refusal brings — the server's causes (422) shown at
// their fields, or a conflict (409) with the server's version to re-base on, take, or overwrite.
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { parseYamlText } from '@/lib/istio-config/diagnostics';
import { rebase } from '@/lib/istio-config/merge';
import type { Cause } from '@/lib/istio-config/outcome';
import { toYaml, withResourceVersion } from '@/lib/istio-config/yaml-text';
import type { MeshResource } from '@/lib/mesh-config/schema';
import { istioKeys, replaceIstioResource } from '@/lib/queries/istio-config';

export type Phase =
  | { name: 'editing' }
  | { name: 'reviewing' }
  | { name: 'saving' }
  | { name: 'conflict'; message: string; theirs?: MeshResource }
  | { name: 'failed'; message: string }
  | { name: 'saved' };

export function useResourceEditor(loaded: MeshResource) {
  const queryClient = useQueryClient();
  const [base, setBase] = useState(() => ({ resource: loaded, text: toYaml(loaded) }));
  const [text, setText] = useState(base.text);
  const [phase, setPhase] = useState<Phase>({ name: 'editing' });
  const [serverCauses, setServerCauses] = useState<{ text: string; causes: Cause[] }>();

  const restart = (resource: MeshResource, next?: string) => {
    const t = toYaml(resource);
    setBase({ resource, text: t });
    setText(next ?? t);
    queryClient.setQueryData(
      istioKeys.resource(resource.kind, resource.metadata.namespace ?? 'default', resource.metadata.name),
      { resource },
    );
  };

  const save = async (yamlText: string) => {
    const parsed = parseYamlText(yamlText);
    if (parsed.value === undefined) {
      setPhase({ name: 'failed', message: 'The YAML has errors; fix the underlined lines first.' });
      return;
    }
    setPhase({ name: 'saving' });
    const outcome = await replaceIstioResource(parsed.value as MeshResource);
    if (outcome.ok) {
      restart(outcome.resource);
      setServerCauses(undefined);
      setPhase({ name: 'saved' });
      void queryClient.invalidateQueries({ queryKey: istioKeys.list() });
    } else if (outcome.kind === 'conflict') {
      setPhase({
        name: 'conflict',
        message: outcome.message,
        ...(outcome.current ? { theirs: outcome.current } : {}),
      });
    } else {
      if (outcome.causes?.length) setServerCauses({ text: yamlText, causes: outcome.causes });
      setPhase({ name: 'failed', message: outcome.message });
    }
  };

  const conflict = phase.name === 'conflict' ? phase : undefined;
  return {
    base,
    text,
    setText: (t: string) => {
      setText(t);
      if (phase.name === 'saved' || phase.name === 'failed') setPhase({ name: 'editing' });
    },
    phase,
    serverCauses,
    dirty: text !== base.text,
    review: () => setPhase({ name: 'reviewing' }),
    cancel: () => setPhase({ name: 'editing' }),
    confirmSave: () => save(text),
    /** 3-way: my changes since base, applied to the server's version; clashes left marked in the editor. */
    rebaseOnTheirs: () => {
      if (!conflict?.theirs) return;
      const theirsText = toYaml(conflict.theirs);
      const merged = rebase(base.text, text, theirsText);
      restart(conflict.theirs, merged.text);
      setPhase(
        merged.conflicts > 0
          ? {
              name: 'failed',
              message: `${merged.conflicts} conflicting change(s) are marked in the editor: resolve them, then save.`,
            }
          : { name: 'editing' },
      );
    },
    takeTheirs: () => {
      if (!conflict?.theirs) return;
      restart(conflict.theirs);
      setPhase({ name: 'editing' });
    },
    /** Mine as it is, at the server's resourceVersion: overwrites their change, after a new review. */
    keepMine: () => {
      const parsed = parseYamlText(text);
      if (!conflict?.theirs || parsed.value === undefined) return;
      const version = conflict.theirs.metadata.resourceVersion;
      restart(conflict.theirs, toYaml(withResourceVersion(parsed.value as Record<string, unknown>, version)));
      setPhase({ name: 'reviewing' });
    },
  };
}
