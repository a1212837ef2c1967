// Resources recently read, by their bytes: an exporter sends the same resource in every export, so its
// process (its tags converted as the reference translator converts them) is made once and is the same
// object again (the store then knows its index terms at once). Bounded: 64 resources of at most 4 KiB
// each; started over when full.
import type { Process } from '../../../lib/jaeger/model';

const MAX_RESOURCES = 64;
const MAX_RESOURCE_BYTES = 4096;

interface Entry<R> {
  bytes: Buffer;
  maxLen: number;
  resource: R;
  process: Process;
}

export class ResourceCache<R> {
  private readonly entries = new Map<number, Entry<R>>();

  /** The entry remembered for exactly the bytes of `buf` from `start` to `end`, with `maxLen`. */
  find(buf: Buffer, start: number, end: number, maxLen: number): Entry<R> | undefined {
    const n = end - start;
    if (n > MAX_RESOURCE_BYTES) return undefined;
    const entry = this.entries.get(hashOf(buf, start, end));
    if (entry === undefined || entry.maxLen !== maxLen || entry.bytes.length !== n) return undefined;
    for (let i = 0; i < n; i++) if (buf[start + i] !== entry.bytes[i]) return undefined;
    return entry;
  }

  remember(buf: Buffer, start: number, end: number, maxLen: number, resource: R, process: Process): void {
    if (end - start > MAX_RESOURCE_BYTES) return;
    if (this.entries.size >= MAX_RESOURCES) this.entries.clear();
    const bytes = Buffer.from(buf.subarray(start, end));
    this.entries.set(hashOf(buf, start, end), { bytes, maxLen, resource, process });
  }
}

function hashOf(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h;
}
