// A colour per service: stable across traces and pages (a hash of the name), and distinct within one
// trace or result list (a service whose colour is taken gets the next free one).

/** Distinct hues readable on light and dark backgrounds (none of them red: red means error). */
export const SERVICE_PALETTE = [
  '#2563eb',
  '#0d9488',
  '#7c3aed',
  '#ca8a04',
  '#0891b2',
  '#c026d3',
  '#65a30d',
  '#ea580c',
  '#4f46e5',
  '#059669',
  '#9333ea',
  '#0284c7',
] as const;

/** FNV-1a hash of the name, so colours do not depend on the order services appear in. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function serviceColor(serviceName: string): string {
  return SERVICE_PALETTE[hash(serviceName) % SERVICE_PALETTE.length] as string;
}

/**
 * Colours for a set of services, all different while the palette lasts: each its hashed colour, or
 * the next free one when another service (earlier by name) holds it. Same set, same colours.
 */
export function serviceColors(names: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<number>();
  for (const name of [...new Set(names)].sort()) {
    let i = hash(name) % SERVICE_PALETTE.length;
    for (let tries = 0; tries < SERVICE_PALETTE.length && taken.has(i); tries++)
      i = (i + 1) % SERVICE_PALETTE.length;
    taken.add(i);
    out.set(name, SERVICE_PALETTE[i] as string);
  }
  return out;
}
