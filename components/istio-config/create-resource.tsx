'use client';
// Create a resource: pick a kind for a template, edit its YAML (same completion and lint as the detail),
// review it, and create it through the control plane; then open its detail.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { parseYamlText } from '@/lib/istio-config/diagnostics';
import { detailHref } from '@/lib/istio-config/kinds';
import type { Cause } from '@/lib/istio-config/outcome';
import { templateOf } from '@/lib/istio-config/templates';
import { toYaml } from '@/lib/istio-config/yaml-text';
import { MESH_KINDS, type MeshKindName } from '@/lib/mesh-config/kinds';
import { createIstioResource, istioConfigOptions, istioKeys } from '@/lib/queries/istio-config';
import { ConfirmDialog } from './confirm-dialog';
import { YamlEditor } from './yaml-editor';

export function CreateResource({ namespace }: { namespace: string }) {
  const [kind, setKind] = useState<MeshKindName>('VirtualService');
  const [text, setText] = useState(() => toYaml(templateOf('VirtualService', namespace)));
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [serverCauses, setServerCauses] = useState<{ text: string; causes: Cause[] }>();
  const mesh = useQuery(istioConfigOptions());
  const router = useRouter();
  const queryClient = useQueryClient();

  const create = async () => {
    const parsed = parseYamlText(text);
    if (parsed.value === undefined) {
      setAsking(false);
      setError('The YAML has errors; fix the underlined lines first.');
      return;
    }
    setBusy(true);
    const outcome = await createIstioResource(parsed.value);
    setBusy(false);
    setAsking(false);
    if (!outcome.ok) {
      setError(outcome.message);
      if (outcome.causes?.length) setServerCauses({ text, causes: outcome.causes });
      return;
    }
    const { kind: k, metadata } = outcome.resource;
    await queryClient.invalidateQueries({ queryKey: istioKeys.list() });
    router.push(detailHref(k, metadata.namespace ?? 'default', metadata.name));
  };

  return (
    <div className="space-y-3 p-4">
      <h1 className="text-xl font-semibold">Create an Istio resource</h1>
      <SelectField
        label="Kind"
        value={kind}
        options={MESH_KINDS.map((k) => ({ value: k, label: k }))}
        onChange={(k) => {
          setKind(k);
          setText(toYaml(templateOf(k, namespace)));
        }}
      />
      <YamlEditor
        value={text}
        onChange={setText}
        label={`New ${kind} (YAML)`}
        others={mesh.data?.items ?? []}
        {...(serverCauses ? { serverCauses } : {})}
      />
      <Button onClick={() => setAsking(true)}>Create…</Button>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={asking}
        title={`Create this ${kind}?`}
        confirmLabel="Create"
        busy={busy}
        onConfirm={() => void create()}
        onCancel={() => setAsking(false)}
      >
        <pre className="whitespace-pre-wrap rounded bg-slate-100 p-2 text-xs dark:bg-slate-800">{text}</pre>
      </ConfirmDialog>
    </div>
  );
}
