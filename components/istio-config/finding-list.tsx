// The findings on one resource: code, severity in words, message and field.
import type { Validation } from '@/lib/mesh-config/validations';
import { ValidityBadge } from './validity-badge';

export function FindingList({ findings }: { findings: readonly Validation[] }) {
  if (findings.length === 0)
    return (
      <p className="text-sm text-slate-700 dark:text-slate-200">
        No findings: the resource is consistent with the mesh.
      </p>
    );
  return (
    <ul aria-label="Findings" className="space-y-1 text-sm">
      {findings.map((f) => (
        <li key={`${f.code}-${f.path}`} className="flex flex-wrap items-baseline gap-2">
          <ValidityBadge validity={f.severity} />
          <span className="font-mono">{f.code}</span>
          <span>{f.message}</span>
          <code className="text-xs text-slate-700 dark:text-slate-300">{f.path}</code>
        </li>
      ))}
    </ul>
  );
}
