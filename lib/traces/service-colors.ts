// A stable colour per service name, so a service keeps its colour across traces and pages.

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
