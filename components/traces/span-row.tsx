// One row of the waterfall: the span's place in the tree (indent, expand toggle, service colour, name)
// and its bar on the time axis, with critical-path sections, retry attempts and errors marked. Plain markup,
// drawn by the waterfall in the tab and by the server's preview of a big trace (no handlers there: the
// buttons wait, disabled, for the tab's own rows).
import type { CriticalPathSection } from '@/lib/traces/critical-path';
import { attemptsOf } from '@/lib/traces/span-facts';
import type { SpanNode } from '@/lib/traces/span-tree';
import { tagString } from '@/lib/traces/tags';
import { barFor, formatDuration, type ViewRange } from '@/lib/traces/time-layout';

export const ROW_HEIGHT = 28;
const INDENT_PX = 14;
const MAX_INDENT_DEPTH = 24;

interface Props {
  node: SpanNode;
  /** The service's colour. */
  color: string;
  view: ViewRange;
  collapsed: boolean;
  hiddenCount: number;
  selected: boolean;
  criticalSections?: readonly CriticalPathSection[];
  onToggle?: (key: string) => void;
  onSelect?: (key: string) => void;
}

/** Whether the span names spans beyond its parent (FOLLOWS_FROM, OTLP links, other traces). */
function hasLinks(node: SpanNode): boolean {
  const refs = node.span.references;
  return refs.length > 1 || (refs.length === 1 && node.parentKey === undefined);
}

/** The duration label: right of the bar if there is room, else left of it, else inside it. */
function labelPlacement(left: number, width: number): { inside: boolean; style: React.CSSProperties } {
  if (left + width < 0.75) return { inside: false, style: { left: `${(left + width) * 100}%` } };
  if (left > 0.25) return { inside: false, style: { right: `${(1 - left) * 100}%` } };
  return { inside: true, style: { right: `${(1 - left - width) * 100}%` } };
}

export function SpanRow({
  node,
  color,
  view,
  collapsed,
  hiddenCount,
  selected,
  criticalSections,
  onToggle,
  onSelect,
}: Props) {
  const bar = barFor(node.startTime, node.endTime, view);
  const status = tagString(node.span.tags, 'http.status_code');
  const attempts = attemptsOf(node.span);
  const hasChildren = node.childKeys.length > 0;
  const indent = Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT_PX;
  const label = labelPlacement(bar.left, bar.width);
  const rowTone = selected
    ? 'bg-sky-100 dark:bg-sky-950'
    : node.isError
      ? 'bg-red-50 hover:bg-red-100 dark:bg-red-950/40 dark:hover:bg-red-950/70'
      : 'hover:bg-slate-50 dark:hover:bg-slate-900';
  return (
    <div
      data-selected={selected || undefined}
      data-depth={node.depth}
      data-span-id={node.span.spanID}
      data-error={node.isError || undefined}
      className={`flex border-b border-slate-100 text-xs dark:border-slate-900 ${rowTone}`}
      // Each row lays out and paints on its own: scrolling only adds and removes rows.
      style={{ height: ROW_HEIGHT, contain: 'layout paint' }}
    >
      <div
        className="flex w-[34%] min-w-0 shrink-0 items-center gap-1 pr-2"
        style={{ paddingLeft: indent + 4 }}
      >
        {hasChildren ? (
          <button
            type="button"
            aria-expanded={!collapsed}
            aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${node.span.operationName}`}
            disabled={onToggle === undefined}
            onClick={onToggle && (() => onToggle(node.key))}
            className="w-4 shrink-0 rounded text-slate-600 dark:text-slate-400 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:text-white"
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="w-4 shrink-0" />
        )}
        <span aria-hidden className="h-4 w-1 shrink-0 rounded-sm" style={{ backgroundColor: color }} />
        <button
          type="button"
          aria-pressed={selected}
          disabled={onSelect === undefined}
          onClick={onSelect && (() => onSelect(node.key))}
          className="min-w-0 flex-1 truncate text-left focus-visible:outline-2 focus-visible:outline-sky-500"
          title={`${node.serviceName}: ${node.span.operationName}`}
        >
          {node.isError ? (
            <span className="mr-1 font-bold text-red-700 dark:text-red-300" title="error">
              !
            </span>
          ) : null}
          <span className="font-medium">{node.serviceName}</span>{' '}
          <span className="text-slate-600 dark:text-slate-400">{node.span.operationName}</span>
        </button>
        {node.span.warnings && node.span.warnings.length > 0 ? (
          <span
            className="shrink-0 text-amber-700 dark:text-amber-300"
            title={node.span.warnings.join('\n')}
            data-span-warnings={node.span.warnings.length}
          >
            ⚠<span className="sr-only"> {node.span.warnings.length} warnings</span>
          </span>
        ) : null}
        {hasLinks(node) ? (
          <span className="shrink-0 text-sky-700 dark:text-sky-300" title="has links to other spans">
            ⤳<span className="sr-only"> links</span>
          </span>
        ) : null}
        {collapsed && hiddenCount > 0 ? (
          <span className="shrink-0 rounded bg-slate-200 px-1 text-[10px] dark:bg-slate-800">
            +{hiddenCount}
          </span>
        ) : null}
      </div>
      {/* The bar is a second, pointer-only way to select the span (the name button is the keyboard's). */}
      <button
        type="button"
        tabIndex={-1}
        // The visible label (duration, status) starts the name, so speech input can say what it sees.
        aria-label={`${formatDuration(node.span.duration)}${status ? ` · ${status}` : ''}${attempts.length > 1 ? ` · ${attempts.length} attempts` : ''}: select ${node.serviceName} ${node.span.operationName}`}
        className="relative block min-w-0 flex-1 cursor-pointer"
        disabled={onSelect === undefined}
        onClick={onSelect && (() => onSelect(node.key))}
      >
        <span
          className={`absolute top-1.5 h-4 rounded-sm ${node.isError ? 'ring-2 ring-red-600' : ''}`}
          style={{
            left: `${bar.left * 100}%`,
            width: `${bar.width * 100}%`,
            backgroundColor: node.isError ? '#dc2626' : color,
            opacity: 0.85,
          }}
        />
        {/* The critical path: a dark stripe through the bar, as Jaeger UI draws it. */}
        {criticalSections?.map((s) => {
          const cp = barFor(s.start, s.end, view);
          return (
            <span
              key={`${s.start}-${s.end}`}
              data-critical-path
              className="absolute top-[12px] h-1 bg-slate-950 dark:bg-white"
              style={{ left: `${cp.left * 100}%`, width: `${cp.width * 100}%` }}
            />
          );
        })}
        {attempts.map((a) => (
          <span
            key={a.attempt}
            title={`attempt ${a.attempt} → ${a.endpoint ?? '?'}: ${a.statusCode ?? '?'} ${a.responseFlags ?? ''}`}
            className={`absolute top-0.5 h-1.5 w-1.5 -translate-x-1/2 rounded-full ${
              a.statusCode !== undefined && a.statusCode > 0 && a.statusCode < 500
                ? 'bg-emerald-500'
                : 'bg-red-600'
            }`}
            style={{ left: `${barFor(a.timestamp, a.timestamp, view).left * 100}%` }}
          />
        ))}
        <span
          className={`pointer-events-none absolute top-1.5 whitespace-nowrap px-1 text-[11px] leading-4 ${
            label.inside
              ? 'rounded-sm bg-slate-900 font-medium text-white'
              : 'text-slate-600 dark:text-slate-300'
          }`}
          style={label.style}
        >
          {formatDuration(node.span.duration)}
          {status ? ` · ${status}` : ''}
          {attempts.length > 1 ? ` · ${attempts.length} attempts` : ''}
        </span>
      </button>
    </div>
  );
}
