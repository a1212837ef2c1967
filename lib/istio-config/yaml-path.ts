// Where in a YAML document a position is, by indentation alone (the text being typed is rarely valid
// YAML): the chain of open keys and sequence items above it, as a schema path (`*` for an item).
export type PathSegment = string;

interface LineShape {
  /** Column of the first dash, or of the key when there is no dash. */
  indent: number;
  /** Column where the key (or scalar) starts, after any `- `. */
  keyIndent: number;
  dash: boolean;
  key?: string;
  /** `key:` with nothing after it: a nested map or sequence follows. */
  open: boolean;
}

const LINE = /^(\s*)((?:-(?:\s+|$))*)(.*)$/;
const KEY = /^("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(?:\s+(.*))?$/;

export function lineShape(line: string): LineShape | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, spaces = '', dashes = '', rest = ''] = m;
  if (rest.startsWith('#') || (rest.trim() === '' && dashes === '')) return undefined;
  const k = KEY.exec(rest.trimEnd());
  const value = k?.[2]?.trim() ?? '';
  return {
    indent: spaces.length,
    keyIndent: spaces.length + dashes.length,
    dash: dashes.length > 0,
    ...(k?.[1] ? { key: k[1].replace(/^["']|["']$/g, '') } : {}),
    open: k !== null && (value === '' || value.startsWith('#')),
  };
}

interface Frame {
  col: number;
  segment: PathSegment;
  item: boolean;
}

function step(frames: Frame[], s: LineShape): void {
  // A dash at column d may sit under a key at the same column (`http:` / `- route:`).
  while (frames.length > 0) {
    const top = frames[frames.length - 1] as Frame;
    const col = s.dash ? s.indent : s.keyIndent;
    const pop = top.item ? top.col >= col : s.dash ? top.col > col : top.col >= col;
    if (!pop) break;
    frames.pop();
  }
  if (s.dash) {
    // `- - x`: each further dash opens a nested item.
    for (let c = s.indent; c < s.keyIndent; c += 2) frames.push({ col: c, segment: '*', item: true });
  }
}

/** The frames open at the start of each line, replayed from the top; `upTo` lines are read. */
function framesAt(lines: readonly string[], upTo: number, cursorLine: string): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < upTo; i++) {
    const s = lineShape(lines[i] ?? '');
    if (!s) continue;
    step(frames, s);
    if (s.key !== undefined && s.open) frames.push({ col: s.keyIndent, segment: s.key, item: false });
  }
  const here = lineShape(cursorLine) ?? {
    indent: cursorLine.length,
    keyIndent: cursorLine.length,
    dash: false,
    open: false,
  };
  step(frames, here);
  return frames;
}

export interface PositionContext {
  /** The path of the map the cursor's key belongs to. */
  path: PathSegment[];
  /** `key: |` — the cursor is on a value; its key. */
  valueKey?: string;
  /** Keys already set in the same map (to leave out of suggestions). */
  siblings: string[];
  /** Column of the cursor's key. */
  column: number;
}

/** The context of `offset` in `text`: for key completion (path, siblings) or value completion (valueKey). */
export function contextAt(text: string, offset: number): PositionContext {
  const before = text.slice(0, offset);
  const lines = text.split('\n');
  const lineNo = before.split('\n').length - 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const cursorLine = before.slice(lineStart);
  const frames = framesAt(lines, lineNo, cursorLine);
  const path = frames.map((f) => f.segment);
  const shape = lineShape(cursorLine);
  const column = shape?.keyIndent ?? cursorLine.length;
  const valueMatch = /^\s*(?:-\s+)*([^\s:#][^:#]*?)\s*:\s+[^\s]*$/.exec(cursorLine);
  return {
    path,
    ...(valueMatch?.[1] ? { valueKey: valueMatch[1] } : {}),
    siblings: siblingKeys(lines, lineNo, column),
    column,
  };
}

/** Keys at `column` in the block around line `lineNo` (up to a line less indented, or an item's dash). */
function siblingKeys(lines: readonly string[], lineNo: number, column: number): string[] {
  const out: string[] = [];
  for (let i = lineNo - 1; i >= 0; i--) {
    const s = lineShape(lines[i] ?? '');
    if (!s) continue;
    if (s.keyIndent < column) break;
    if (s.keyIndent === column && s.key !== undefined) out.push(s.key);
    if (s.dash && s.indent < column) break; // the dash that starts our item
  }
  for (let i = lineNo + 1; i < lines.length; i++) {
    const s = lineShape(lines[i] ?? '');
    if (!s) continue;
    if (s.keyIndent < column || (s.dash && s.indent < column)) break; // the next item, or the block's end
    if (s.keyIndent === column && s.key !== undefined) out.push(s.key);
  }
  return out;
}
