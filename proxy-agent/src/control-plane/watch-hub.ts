// Watch fan-out with a bounded history: events after a client's resourceVersion are replayed, so an
// informer resumes where it left off; a version older than the history answers Expired (410).
import type { MeshKind, MeshResource } from '../../../lib/mesh-config/schema';
import { DEFAULT_HISTORY, DEFAULT_HISTORY_BYTES } from './limits';
import type { EventType } from './resource-state';
import { expired } from './status';

export { DEFAULT_HISTORY, DEFAULT_HISTORY_BYTES };

export interface WatchEvent {
  type: EventType;
  object: MeshResource;
}

export interface WatchFilter {
  kind: MeshKind;
  namespace?: string;
}

const lines = new WeakMap<object, string>();

/**
 * An event's line on a watch stream, serialized once however many watchers send it: one string shared
 * by every watcher's buffer (and measured for the history) rather than a copy each.
 */
export function eventLine(event: { type: string; object: unknown }): string {
  let line = lines.get(event);
  if (line === undefined) {
    line = `${JSON.stringify(event)}\n`;
    lines.set(event, line);
  }
  return line;
}

type Listener = (events: readonly WatchEvent[]) => void;

function matches(f: WatchFilter, o: MeshResource): boolean {
  return (
    o.kind === f.kind && (f.namespace === undefined || (o.metadata.namespace ?? 'default') === f.namespace)
  );
}

function rvOf(e: WatchEvent): number {
  return Number(e.object.metadata.resourceVersion);
}

export class WatchHub {
  private history: WatchEvent[] = [];
  /** Serialized size of each history event, and their sum: the history is bounded by both. */
  private sizes: number[] = [];
  private bytes = 0;
  /** Every event with a resourceVersion above this one is still in the history. */
  private floor: number;
  private current: number;
  private readonly listeners = new Set<{ filter: WatchFilter; listener: Listener }>();

  constructor(
    startVersion: number,
    private readonly capacity = DEFAULT_HISTORY,
    private readonly maxBytes = DEFAULT_HISTORY_BYTES,
  ) {
    this.floor = startVersion;
    this.current = startVersion;
  }

  publish(events: readonly WatchEvent[], resourceVersion: number): void {
    for (const e of events) {
      const size = eventLine(e).length;
      this.history.push(e);
      this.sizes.push(size);
      this.bytes += size;
    }
    this.current = resourceVersion;
    let drop = Math.max(0, this.history.length - this.capacity);
    let bytes = this.bytes;
    for (let i = 0; i < drop; i++) bytes -= this.sizes[i] as number;
    while (bytes > this.maxBytes && drop < this.history.length) bytes -= this.sizes[drop++] as number;
    if (drop > 0) {
      const dropped = this.history.splice(0, drop);
      this.sizes.splice(0, drop);
      this.bytes = bytes;
      this.floor = rvOf(dropped[dropped.length - 1] as WatchEvent);
    }
    for (const { filter, listener } of this.listeners) {
      const mine = events.filter((e) => matches(filter, e.object));
      if (mine.length > 0) listener(mine);
    }
  }

  /**
   * Subscribes to changes after `fromVersion`, first replaying those already in the history.
   * Throws Expired when the history no longer reaches back that far (or the version is in the future).
   */
  subscribe(
    filter: WatchFilter,
    fromVersion: number,
    listener: Listener,
  ): { replay: WatchEvent[]; unsubscribe: () => void } {
    if (fromVersion < this.floor || fromVersion > this.current)
      throw expired(String(fromVersion), String(this.floor));
    const replay = this.history.filter((e) => rvOf(e) > fromVersion && matches(filter, e.object));
    const entry = { filter, listener };
    this.listeners.add(entry);
    return { replay, unsubscribe: () => this.listeners.delete(entry) };
  }

  /** Drops the history up to `version` (its store compacted it): resuming from before it is 410. */
  forget(version: number): void {
    if (version <= this.floor) return;
    let drop = 0;
    while (drop < this.history.length && rvOf(this.history[drop] as WatchEvent) <= version) drop++;
    for (let i = 0; i < drop; i++) this.bytes -= this.sizes[i] as number;
    this.history.splice(0, drop);
    this.sizes.splice(0, drop);
    this.floor = Math.min(version, this.current);
  }

  /** Events after this version can be replayed. */
  get oldest(): number {
    return this.floor;
  }

  get watchers(): number {
    return this.listeners.size;
  }
}
