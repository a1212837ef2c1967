// Actions over the waterfall: expand/collapse, critical path on/off, zoom reset, download, step through errors.

interface Props {
  errorCount: number;
  zoomed: boolean;
  showCriticalPath: boolean;
  onExpandAll: () => void;
  onCollapseAll: () => void;
  onCriticalPath: (on: boolean) => void;
  onResetZoom: () => void;
  /** Shows the trace's path on the service graph. */
  onShowOnGraph?: () => void;
  onDownload: () => void;
  onNextError: () => void;
  onPreviousError: () => void;
}

const BUTTON =
  'rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100 disabled:opacity-40 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800';

export function TraceToolbar(p: Props) {
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-1.5 text-xs dark:border-slate-800">
      <button type="button" className={BUTTON} onClick={p.onExpandAll}>
        Expand all
      </button>
      <button type="button" className={BUTTON} onClick={p.onCollapseAll}>
        Collapse all
      </button>
      <label className="flex items-center gap-1">
        <input
          type="checkbox"
          checked={p.showCriticalPath}
          onChange={(e) => p.onCriticalPath(e.target.checked)}
        />
        Critical path
      </label>
      <button type="button" className={BUTTON} disabled={!p.zoomed} onClick={p.onResetZoom}>
        Reset zoom
      </button>
      <button type="button" className={BUTTON} onClick={p.onDownload}>
        Download JSON
      </button>
      {p.onShowOnGraph ? (
        <button type="button" className={BUTTON} onClick={p.onShowOnGraph}>
          Show on graph
        </button>
      ) : null}
      <span className="ml-auto flex items-center gap-1">
        <span
          className={
            p.errorCount > 0
              ? 'font-semibold text-red-700 dark:text-red-300'
              : 'text-slate-600 dark:text-slate-400'
          }
        >
          {p.errorCount} error span{p.errorCount === 1 ? '' : 's'}
        </span>
        <button type="button" className={BUTTON} disabled={p.errorCount === 0} onClick={p.onPreviousError}>
          ◂ error
        </button>
        <button type="button" className={BUTTON} disabled={p.errorCount === 0} onClick={p.onNextError}>
          error ▸
        </button>
      </span>
    </div>
  );
}
