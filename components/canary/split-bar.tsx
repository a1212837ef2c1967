// A stacked bar of a split, one coloured segment per version (decorative: the numbers are beside it).
const COLOURS = [
  'bg-sky-600',
  'bg-emerald-600',
  'bg-amber-500',
  'bg-fuchsia-600',
  'bg-rose-600',
  'bg-slate-500',
];

export function colourOf(index: number): string {
  return COLOURS[index % COLOURS.length] as string;
}

export function SplitBar({
  parts,
}: {
  parts: ReadonlyArray<{ version: string; percent: number; index: number }>;
}) {
  return (
    <div
      aria-hidden="true"
      className="flex h-3 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
    >
      {parts.map((p) =>
        p.percent > 0 ? (
          <div
            key={p.version}
            className={`${colourOf(p.index)} h-full transition-[width] duration-500`}
            style={{ width: `${p.percent}%` }}
            title={`${p.version} ${p.percent.toFixed(0)}%`}
          />
        ) : null,
      )}
    </div>
  );
}
