'use client';
// A save refused because the resource changed on the server meanwhile (409): both versions side by side
// and three ways on — re-base my edit on the server's version (3-way merge), take theirs, or keep mine.
import { Button } from '@/components/ui/button';
import { DiffView } from './diff-view';

export function ConflictPanel({
  message,
  mine,
  theirs,
  onRebase,
  onTakeTheirs,
  onKeepMine,
}: {
  message: string;
  mine: string;
  /** Undefined when the resource was deleted on the server. */
  theirs?: string;
  onRebase: () => void;
  onTakeTheirs: () => void;
  onKeepMine: () => void;
}) {
  return (
    <section
      aria-label="Conflict"
      className="space-y-2 rounded border border-amber-700 p-3 dark:border-amber-400"
    >
      <p role="alert" className="text-sm font-medium">
        Conflict: {message}
      </p>
      {theirs !== undefined ? (
        <>
          <DiffView a={mine} b={theirs} aLabel="Your edit" bLabel="On the server now" />
          <div className="flex flex-wrap gap-2">
            <Button onClick={onRebase}>Re-base my edit on the server’s version</Button>
            <Button onClick={onTakeTheirs}>Take the server’s version</Button>
            <Button onClick={onKeepMine}>Keep mine (overwrite)</Button>
          </div>
          <p className="text-xs text-slate-600 dark:text-slate-300">
            Re-base merges your changes into the server’s version; lines both changed are marked in the editor
            for you to resolve before saving.
          </p>
        </>
      ) : null}
    </section>
  );
}
