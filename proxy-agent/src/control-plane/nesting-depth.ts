// How deeply a request body nests objects and arrays. Bounded before anything recursive (the merge
// patch, validation, JSON.stringify) sees it, so a hostile `[[[[…` is a 400, not a stack overflow.

/** The deepest nesting of `{`/`[` in JSON text, counted outside strings; stops early past `max`. */
export function jsonTextDepth(text: string, max = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The deepest nesting of objects and arrays in a parsed value, walked without recursion. */
export function valueDepth(value: unknown, max = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > max) return deepest;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d]);
  }
  return deepest;
}
