'use client';
// Trace duration over time: one dot per trace, errors in red; a dot is a link that opens its trace.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { scatterLayout } from '@/lib/traces/scatter-layout';
import { formatDuration } from '@/lib/traces/time-layout';
import type { TraceSummary } from '@/lib/traces/trace-summary';

const H = 180;
const PAD = { left: 56, right: 16, top: 10, bottom: 22 };
const PH = H - PAD.top - PAD.bottom;

/** The element's width in CSS pixels, kept current: the plot is drawn at its real size, not stretched. */
function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function DurationScatter({ traces }: { traces: readonly TraceSummary[] }) {
  const router = useRouter();
  const [ref, measured] = useWidth<HTMLDivElement>();
  const W = Math.max(200, measured);
  const PW = W - PAD.left - PAD.right;
  const layout = scatterLayout(traces);
  const byId = new Map(traces.map((t) => [t.traceID, t]));
  const px = (x: number) => PAD.left + x * PW;
  const py = (y: number) => PAD.top + (1 - y) * PH;
  return (
    <figure className="rounded-md border border-slate-200 p-2 dark:border-slate-800">
      <div ref={ref} className="w-full">
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a fieldset; a group, not an image, as its dots are links */}
        <svg
          width={W}
          height={H}
          viewBox={`0 0 ${W} ${H}`}
          className="block"
          role="group"
          aria-label={`Duration of ${traces.length} traces over time`}
          data-testid="duration-scatter"
        >
          {layout.yTicks.map((t) => (
            <g key={`y${t.at}`} className="text-slate-600 dark:text-slate-400">
              <line
                x1={PAD.left}
                x2={W - PAD.right}
                y1={py(t.at)}
                y2={py(t.at)}
                stroke="currentColor"
                strokeOpacity={0.25}
              />
              <text x={PAD.left - 4} y={py(t.at) + 3} textAnchor="end" fontSize={10} fill="currentColor">
                {t.label}
              </text>
            </g>
          ))}
          {layout.xTicks.map((t) => (
            <text
              key={`x${t.at}`}
              x={px(t.at)}
              y={H - 6}
              textAnchor="middle"
              fontSize={10}
              className="fill-slate-600 dark:fill-slate-400"
            >
              {t.label}
            </text>
          ))}
          {layout.points.map((p) => {
            const t = byId.get(p.traceID);
            const href = `/traces/${p.traceID}`;
            return (
              <a
                key={p.traceID}
                href={href}
                data-trace-id={p.traceID}
                data-error={p.error || undefined}
                onClick={(e) => {
                  e.preventDefault();
                  router.push(href);
                }}
              >
                <title>
                  {`${t?.rootService ?? ''}: ${t?.rootOperation ?? ''} — ${formatDuration(t?.duration ?? 0)}${p.error ? `, ${t?.errorCount} errors` : ''}`}
                </title>
                <circle
                  cx={px(p.x)}
                  cy={py(p.y)}
                  r={5}
                  fill={p.error ? '#dc2626' : '#0284c7'}
                  fillOpacity={0.75}
                  stroke={p.error ? '#7f1d1d' : '#075985'}
                  className="cursor-pointer hover:fill-opacity-100"
                />
              </a>
            );
          })}
        </svg>
      </div>
      <figcaption className="flex gap-4 px-1 text-xs text-slate-600 dark:text-slate-400">
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-sky-600" />
          ok
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-red-600" />
          with errors
        </span>
        <span className="ml-auto">click a dot to open its trace</span>
      </figcaption>
    </figure>
  );
}
